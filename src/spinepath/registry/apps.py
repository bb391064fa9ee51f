from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "spinepath.registry"
    label = "registry"
    verbose_name = "Registry"
