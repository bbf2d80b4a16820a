from django.apps import AppConfig


class UpstreamConfig(AppConfig):
    name = "upstream"
    verbose_name = "Upstream indexes (caching proxy)"
    default_auto_field = "django.db.models.BigAutoField"
