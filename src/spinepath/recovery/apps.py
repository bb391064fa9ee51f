from django.apps import AppConfig


class RecoveryConfig(AppConfig):
    name = "spinepath.recovery"
    label = "recovery"
    verbose_name = "Recovery"

    def ready(self) -> None:
        from spinepath.recovery.programme import triage_settings

        triage_settings()  # a bad threshold fails at start-up
