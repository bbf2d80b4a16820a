"""Collectors the /metrics view runs when Prometheus scrapes it."""
import glob
import os

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from core import metrics

from .health import OK, run_checks


class ProcessFiles:
    """The values every process wrote to the multiprocess directories (this node's gunicorn
    workers, and METRICS_EXTRA_DIRS such as the dramatiq workers'), added up per sample."""

    def __init__(self, patterns):
        self.patterns = patterns

    def collect(self):
        files = sorted({path for pattern in self.patterns for directory in glob.glob(pattern)
                        for path in glob.glob(os.path.join(directory, "*.db"))})
        return MultiProcessCollector.merge(files, accumulate=True)


class ReadinessCollector:
    """pypi_ready (would /_health/ready answer 200) and pypi_dependency_up per dependency."""

    def collect(self):
        result = run_checks()
        ready = GaugeMetricFamily(metrics.READY, "1 when this node is ready to serve (database and storage up).")
        ready.add_metric([], 0.0 if result["status"] == "unavailable" else 1.0)
        up = GaugeMetricFamily(metrics.DEPENDENCY_UP, "1 when the dependency answered its health check.",
                               labels=["dependency"])
        for name, state in result["checks"].items():
            up.add_metric([name], 1.0 if state == OK else 0.0)
        yield ready
        yield up


SCRAPE_COLLECTORS = [ReadinessCollector]
