from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "spinepath.audit"
    label = "audit"
    verbose_name = "Audit"
