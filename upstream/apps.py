from django.apps import AppConfig


class UpstreamConfig(AppConfig):
    name = "upstream"
    verbose_name = "Upstream indexes (caching proxy)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import indexes
        from .models import UpstreamIndex

        post_save.connect(indexes.forget_rows, sender=UpstreamIndex, dispatch_uid="upstream-indexes-saved")
        post_delete.connect(indexes.forget_rows, sender=UpstreamIndex, dispatch_uid="upstream-indexes-deleted")
