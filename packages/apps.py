from django.apps import AppConfig


class PackagesConfig(AppConfig):
    name = "packages"
    verbose_name = "Packages"

    def ready(self):
        from . import search  # noqa: F401  (connects the receivers that keep search vectors current)
