from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "spinepath.outcomes"
    label = "outcomes"
    verbose_name = "Outcomes"
