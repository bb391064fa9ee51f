from django.apps import AppConfig


class SurgeryConfig(AppConfig):
    name = "spinepath.surgery"
    label = "surgery"
    verbose_name = "Surgery"
