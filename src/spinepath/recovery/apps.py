from django.apps import AppConfig


class RecoveryConfig(AppConfig):
    name = "spinepath.recovery"
    label = "recovery"
    verbose_name = "Recovery"
