"""Database hiccups: dropped connections are replaced transparently; a database that is gone is a
503 that pip, twine and JSON clients can read (gunicorn subprocesses, real clients)."""

import json
import urllib.error
import urllib.request

import pytest
from django.db import connection

from accounts.tests.factories import UserFactory
from devtools.dists import write_dists
from devtools.publish import publish
from devtools.testing import clients
from devtools.testing.net import free_port
from devtools.testing.servers import AppServer

pytestmark = pytest.mark.e2e


def fetch(url, data=None, headers=None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_database_down_is_a_503_each_client_can_read(tmp_path):
    dead = f"postgres://postgres@127.0.0.1:{free_port()}/gone"
    with AppServer(tmp_path, env={"DATABASE_URL": dead}, workers=1) as app:
        for path in (
            "/simple/",
            "/simple/some-project/",
            "/packages/ab/cd/" + "e" * 60 + "/some_project-1.0-py3-none-any.whl",
        ):
            status, headers, body = fetch(app.url + path)
            assert (status, headers["Content-Type"]) == (503, "text/plain; charset=utf-8"), (path, body[:300])
            assert b"database cannot be reached" in body and headers["Retry-After"] == "30"
        status, headers, body = fetch(app.url + "/pypi/some-project/json")
        assert (status, headers["Content-Type"]) == (503, "application/json")
        assert json.loads(body)["code"] == "database_unavailable"
        status, headers, body = fetch(app.url + "/")
        assert status == 503 and b"Temporarily unavailable" in body

        result = clients.twine_upload(
            f"{app.url}/legacy/", "pypi-whatever", write_dists(tmp_path / "d", "some-project", "1.0", kinds=("wheel",))
        )
        assert result.returncode != 0
        assert "503" in result.stdout + result.stderr and "Internal Server Error" not in result.stdout + result.stderr
        assert "database unavailable" in app.log_text()  # logged through core.degraded


@pytest.mark.django_db(transaction=True)
def test_dropped_connections_are_replaced_before_the_next_request(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    publish(UserFactory(username="hiccup-owner"), "hiccup", "1.0", kinds=("wheel",))
    with AppServer(tmp_path, env={"DB_CONN_MAX_AGE": "600"}, workers=2) as app:
        paths = ["/simple/hiccup/", "/pypi/hiccup/json", "/project/hiccup/"]
        for _ in range(6):  # every worker holds a persistent connection now
            for path in paths:
                assert fetch(app.url + path)[0] == 200
        with connection.cursor() as cursor:  # only this test database's backends, never our own
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            terminated = cursor.fetchone()[0]
        assert terminated >= 1
        statuses = [fetch(app.url + path)[0] for _ in range(6) for path in paths]
        assert statuses == [200] * len(statuses), app.log_text()[-3000:]
