"""Metrics and request logs of the app as production runs it: gunicorn with two worker
processes sharing PROMETHEUS_MULTIPROC_DIR, scraped over HTTP, with twine as the client."""

import json
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from accounts.tests.factories import UserFactory
from devtools.dists import write_dists
from devtools.publish import publish
from devtools.testing.clients import twine_upload
from devtools.testing.servers import AppServer, get
from ops.tests.test_metrics import sample

pytestmark = pytest.mark.e2e


def request_lines(server):
    """The JSON request log lines gunicorn's workers wrote."""
    lines = []
    for line in server.log_text().splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry["logger"] == "index.request":
                lines.append(entry)
    return lines


@pytest.fixture
def served(transactional_db, tmp_path, token_for):
    user = UserFactory(username="alice")
    publish(user, "multi-pkg", "1.0")
    metrics_dir = tmp_path / "prometheus"
    env = {
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "LOG_FORMAT": "json",
        "LOG_HEALTH_REQUESTS": "1",
        "TRUSTED_PROXY_COUNT": "1",
    }
    with AppServer(tmp_path, env=env, workers=2) as server:
        yield server, token_for(user), tmp_path


def test_refused_upload_and_requests_are_counted_across_both_workers(served):
    server, token, tmp_path = served
    # A refused upload, sent by twine: local versions are not accepted by an index.
    files = write_dists(tmp_path / "dist", "multi-pkg", "2.0+local", kinds=("wheel",))
    result = twine_upload(server.url + "/legacy/", token, files)
    assert result.returncode != 0
    assert "local version" in (result.stdout + result.stderr).lower()

    # Requests from several connections at once, until both workers have served some.
    page = server.url + "/simple/multi-pkg/"
    sent = 0
    with ThreadPoolExecutor(8) as pool:
        for _ in range(20):
            statuses = list(pool.map(lambda _: get(page)[0], range(20)))
            assert statuses == [200] * 20
            sent += 20
            pids = {e["pid"] for e in request_lines(server) if e["route"] == "simple_detail"}
            if len(pids) == 2:
                break
    assert len(pids) == 2, "all requests landed on one worker"

    # Every scrape, whichever worker answers it, adds up both workers' counts.
    scrapers = set()
    for _ in range(12):
        status, headers, body = get(server.url + "/metrics")
        assert status == 200
        text = body.decode()
        assert sample(text, "pypi_http_requests_total", route="simple_detail", method="GET", status="200") == sent
        assert sample(text, "pypi_http_request_duration_seconds_count", route="simple_detail", method="GET") == sent
        assert sample(text, "pypi_upload_refusals_total", code="local_version") == 1
        assert sample(text, "pypi_ready") == 1
        scrapers.add(
            next(e["pid"] for e in reversed(request_lines(server)) if e["request_id"] == headers["X-Request-ID"])
        )
    assert 'pypi_upload_refusals_total{code="local_version"} 1.0' in text

    promtool = shutil.which("promtool")
    if promtool:  # Debian's prometheus package (devtools/system-deps installs it)
        check = subprocess.run([promtool, "check", "metrics"], input=body, capture_output=True, timeout=30, check=False)
        assert check.returncode == 0, check.stdout + check.stderr

    # The refusal's own log line: code and field, joined to its request by the request id.
    refusal = next(
        json.loads(line)
        for line in server.log_text().splitlines()
        if line.startswith("{") and json.loads(line)["logger"] == "index.upload"
    )
    assert refusal["code"] == "local_version" and refusal["field"] == "version"
    upload_line = next(e for e in request_lines(server) if e["request_id"] == refusal["request_id"])
    assert upload_line["route"] == "legacy_upload" and upload_line["status"] == 400
    assert upload_line["user_id"] is not None and upload_line["token_id"] is not None
    assert token not in server.log_text()


def test_request_id_and_client_address_behind_the_trusted_proxy(served):
    server, _, _ = served
    status, headers, _ = get(
        server.url + "/simple/multi-pkg/", headers={"X-Request-ID": "lb-1234-abcd", "X-Forwarded-For": "203.0.113.9"}
    )
    assert status == 200 and headers["X-Request-ID"] == "lb-1234-abcd"
    line = next(e for e in request_lines(server) if e["request_id"] == "lb-1234-abcd")
    assert line["client"] == "203.0.113.9"
    assert line["route"] == "simple_detail" and line["status"] == 200 and line["duration_ms"] > 0
    # Not a sane id (spaces, too long): a new one is made.
    status, headers, _ = get(server.url + "/simple/multi-pkg/", headers={"X-Request-ID": "x" * 300})
    assert len(headers["X-Request-ID"]) == 32


def test_task_outcomes_of_a_real_dramatiq_worker_reach_the_web_nodes_metrics(transactional_db, tmp_path):
    """A dramatiq worker process (Redis broker) writes its task counters to its own directory;
    the web node on the same host adds them (METRICS_EXTRA_DIRS) to what its workers count."""
    import os
    import sys
    import time

    from django.conf import settings
    from dramatiq.brokers.redis import RedisBroker
    from dramatiq.message import Message

    from devtools.testing.servers import RedisServer, database_url

    web_dir, worker_dir = tmp_path / "web-metrics", tmp_path / "worker-metrics-1"
    worker_dir.mkdir()
    with RedisServer() as redis:
        env = {
            "PROMETHEUS_MULTIPROC_DIR": str(web_dir),
            "METRICS_EXTRA_DIRS": str(tmp_path / "worker-metrics-*"),
            "REDIS_URL": redis.url,
            "TASK_BROKER": "redis",
        }
        worker_env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_NAME", "DJANGO_SETTINGS_MODULE")}
        worker_env.update(
            DJANGO_SETTINGS_MODULE="pypiapp.settings",
            DATABASE_URL=database_url(),
            DB_CONN_MAX_AGE="0",
            PYPIAPP_VAR_DIR=str(settings.VAR_DIR),
            SECRET_KEY=settings.SECRET_KEY,
            REDIS_URL=redis.url,
            TASK_BROKER="redis",
            PROMETHEUS_MULTIPROC_DIR=str(worker_dir),
        )
        worker_log = open(tmp_path / "worker.log", "wb")  # closed in the finally below
        worker = subprocess.Popen(
            [sys.executable, "-m", "dramatiq", "pypiapp.worker", "--processes", "1", "--threads", "1"],
            cwd=settings.BASE_DIR,
            env=worker_env,
            stdout=worker_log,
            stderr=subprocess.STDOUT,
        )
        try:
            with AppServer(tmp_path, env=env, workers=2) as server:
                # As a web node sends it: a mail task for a user who no longer exists (a no-op).
                RedisBroker(url=redis.url).enqueue(
                    Message(
                        queue_name="mail",
                        actor_name="send_role_change_mail",
                        args=(10**9, "p", "removed you", "x"),
                        kwargs={},
                        options={},
                    )
                )
                deadline = time.monotonic() + 60
                succeeded = 0
                while time.monotonic() < deadline and not succeeded:
                    text = get(server.url + "/metrics")[2].decode()
                    succeeded = sample(text, "pypi_tasks_total", actor="send_role_change_mail", outcome="succeeded")
                    time.sleep(0.5)
                assert succeeded == 1, (tmp_path / "worker.log").read_text()[-3000:]
                assert sample(text, "pypi_ready") == 1
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
            worker_log.close()
