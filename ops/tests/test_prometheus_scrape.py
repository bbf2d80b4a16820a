"""A real Prometheus (Debian's prometheus package) scrapes a gunicorn node and evaluates
deploy/prometheus-alerts.yml: the node's PostgreSQL stopped makes IndexNodeNotReady fire."""

import json
import shutil
import subprocess
import time
import urllib.parse

import pytest
import yaml

from devtools.testing.net import free_port
from devtools.testing.servers import AppServer, PostgresServer, get
from ops.tests.test_deploy_files import ALERTS

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("prometheus") is None, reason="prometheus (Debian package) is not installed"),
]


class Prometheus:
    def __init__(self, workdir, target):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        rules = workdir / "alerts.yml"
        # The rules as shipped, with `for:` shortened so the test need not wait minutes.
        document = yaml.safe_load(ALERTS.read_text())
        for group in document["groups"]:
            group["interval"] = "1s"
            for rule in group["rules"]:
                rule["for"] = "2s"
        rules.write_text(yaml.safe_dump(document))
        config = workdir / "prometheus.yml"
        config.write_text(
            yaml.safe_dump(
                {
                    "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                    "rule_files": [str(rules)],
                    "scrape_configs": [{"job_name": "package-index", "static_configs": [{"targets": [target]}]}],
                }
            )
        )
        self.log = open(workdir / "prometheus.log", "wb")  # closed by stop()
        self.process = subprocess.Popen(
            [
                "prometheus",
                f"--config.file={config}",
                f"--storage.tsdb.path={workdir / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def api(self, path, **params):
        status, _, body = get(f"{self.url}/api/v1/{path}?{urllib.parse.urlencode(params)}")
        assert status == 200, body
        return json.loads(body)["data"]

    def value(self, query):
        result = self.api("query", query=query)["result"]
        return float(result[0]["value"][1]) if result else None

    def wait_for(self, predicate, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if predicate():
                    return True
            except OSError:
                pass
            time.sleep(0.5)
        return False

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def test_prometheus_scrapes_the_node_and_the_not_ready_alert_fires(tmp_path):
    with PostgresServer() as pg:
        env = {"DATABASE_URL": pg.url, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"), "DB_CONNECT_TIMEOUT": "2"}
        with AppServer(tmp_path, env=env, workers=2) as server:
            prometheus = Prometheus(tmp_path, f"127.0.0.1:{server.port}")
            try:
                for _ in range(5):
                    assert get(server.url + "/_health/")[0] == 200
                assert prometheus.wait_for(lambda: prometheus.value("pypi_ready") == 1), (
                    tmp_path / "prometheus.log"
                ).read_text()[-2000:]
                assert prometheus.wait_for(
                    lambda: (prometheus.value('sum(pypi_http_requests_total{route="health_live"})') or 0) >= 5
                )
                assert prometheus.value('pypi_dependency_up{dependency="database"}') == 1

                pg.stop()
                assert prometheus.wait_for(lambda: prometheus.value("pypi_ready") == 0)
                assert prometheus.wait_for(
                    lambda: any(
                        a["labels"]["alertname"] == "IndexNodeNotReady" and a["state"] == "firing"
                        for a in prometheus.api("alerts")["alerts"]
                    )
                )
                assert prometheus.value('pypi_dependency_up{dependency="database"}') == 0
            finally:
                prometheus.stop()
