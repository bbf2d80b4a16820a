"""Collectors the /metrics view runs when Prometheus scrapes it."""

import glob
import os

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from core import metrics
from outbox.relay import backlog

from .health import OK, run_checks


class ProcessFiles:
    """The values every process wrote to the multiprocess directories (this node's gunicorn
    workers, and METRICS_EXTRA_DIRS such as the dramatiq workers'), added up per sample."""

    def __init__(self, patterns):
        self.patterns = patterns

    def collect(self):
        files = sorted(
            {
                path
                for pattern in self.patterns
                for directory in glob.glob(pattern)
                for path in glob.glob(os.path.join(directory, "*.db"))
            }
        )
        return MultiProcessCollector.merge(files, accumulate=True)


class ReadinessCollector:
    """pypi_ready (would /_health/ready answer 200) and pypi_dependency_up per dependency."""

    def collect(self):
        result = run_checks()
        ready = GaugeMetricFamily(metrics.READY, "1 when this node is ready to serve (database and storage up).")
        ready.add_metric([], 0.0 if result["status"] == "unavailable" else 1.0)
        up = GaugeMetricFamily(
            metrics.DEPENDENCY_UP, "1 when the dependency answered its health check.", labels=["dependency"]
        )
        for name, state in result["checks"].items():
            up.add_metric([name], 1.0 if state == OK else 0.0)
        yield ready
        yield up


class StorageCollector:
    """pypi_storage_bytes: the size of every stored distribution file (the projects' running
    totals, summed). Kept in the shared cache for a minute: every node's scrape need not sum
    the whole project table."""

    CACHE_KEY, SECONDS = "ops:storage-bytes", 60

    def collect(self):
        from django.core.cache import cache
        from django.db.models import Sum

        from packages.models import Project

        total = cache.get(self.CACHE_KEY)
        if total is None:
            try:
                total = Project.objects.aggregate(total=Sum("total_size"))["total"] or 0
            except Exception:  # noqa: BLE001 (database down: readiness says so; no figure then)
                return
            cache.set(self.CACHE_KEY, total, self.SECONDS)
        family = GaugeMetricFamily(
            metrics.STORAGE_BYTES, "Bytes of distribution files the index holds (updated at most once a minute)."
        )
        family.add_metric([], float(total))
        yield family


class OutboxCollector:
    """The outbox's backlog (outbox/relay.py): messages written with their change and not yet
    delivered, those that failed at least once, and the age of the oldest."""

    def collect(self):
        try:
            state = backlog()
        except Exception:  # noqa: BLE001 (database down: readiness says so; no backlog figures then)
            return
        for name, key, text in (
            (metrics.OUTBOX_BACKLOG, "pending", "Task messages in the outbox, not yet delivered."),
            (metrics.OUTBOX_FAILING, "failing", "Outbox messages whose delivery failed at least once."),
            (metrics.OUTBOX_OLDEST, "oldest_seconds", "Age of the oldest outbox message (0 when empty)."),
        ):
            family = GaugeMetricFamily(name, text)
            family.add_metric([], float(state[key]))
            yield family


SCRAPE_COLLECTORS = (ReadinessCollector, StorageCollector, OutboxCollector)
