"""Throttle counters live in the shared cache: two gunicorn nodes on one Redis count together."""

import base64
import urllib.error
import urllib.request

import pytest

from devtools.testing.servers import AppServer, RedisServer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def bad_upload(node, i):
    auth = base64.b64encode(f"__token__:pypi-{i:016x}_not-a-secret".encode()).decode()
    request = urllib.request.Request(
        f"{node.url}/legacy/",
        data=b":action=file_upload",
        method="POST",
        headers={"Authorization": f"Basic {auth}", "Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers


def test_failed_upload_credentials_are_counted_across_nodes(tmp_path):
    env = {"UPLOAD_AUTH_FAILURES_PER_CLIENT": "6/h", "TASK_BROKER": "inprocess"}
    with RedisServer() as redis:
        env["CACHE_URL"] = redis.url
        with AppServer(tmp_path, env=env) as node_a, AppServer(tmp_path, env=env) as node_b:
            statuses = [bad_upload(node, i)[0] for i, node in enumerate([node_a] * 4 + [node_b] * 2)]
            assert statuses == [403] * 6
            for node in (node_a, node_b):
                status, headers = bad_upload(node, 99)
                assert status == 429 and int(headers["Retry-After"]) > 0
