from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = "Operations (health, metrics)"

    def ready(self):
        from core import degraded, metrics

        degraded.degraded.connect(metrics.count_fallback, dispatch_uid="ops.metrics.fallbacks")
