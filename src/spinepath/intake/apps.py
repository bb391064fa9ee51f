from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "spinepath.intake"
    label = "intake"
    verbose_name = "Intake"
