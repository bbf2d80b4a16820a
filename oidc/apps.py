from django.apps import AppConfig


class OidcConfig(AppConfig):
    name = "oidc"
    verbose_name = "Trusted Publishing (OIDC)"
    default_auto_field = "django.db.models.BigAutoField"
