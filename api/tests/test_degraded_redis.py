"""A dead Redis (cache and broker) does not take pip and twine down: gunicorn with REDIS_URL
pointing at a redis-server this test starts, then stops mid-test, then starts again."""

import time
import urllib.request

import pytest

from accounts.tests.factories import UserFactory
from accounts.tokens import issue_token
from devtools.dists import write_dists
from devtools.testing import clients
from devtools.testing.servers import AppServer, RedisServer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def get(url, headers=None):
    started = time.monotonic()
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=30) as response:
        response.read()
        return response.status, time.monotonic() - started


def test_pip_and_twine_keep_working_while_redis_is_down(tmp_path):
    user = UserFactory(username="redis-owner")
    token = issue_token(user, "account").raw
    with (
        RedisServer() as redis_server,
        AppServer(tmp_path, env={"REDIS_URL": redis_server.url, "CACHE_FALLBACK_SECONDS": "1"}) as app,
    ):
        legacy, simple = f"{app.url}/legacy/", f"{app.url}/simple/"
        result = clients.twine_upload(legacy, token, write_dists(tmp_path / "v1", "redis-down", "1.0"))
        assert result.returncode == 0, result.stdout + result.stderr
        assert clients.pip_install(simple, ["redis-down"], tmp_path / "t1").returncode == 0

        alive = sorted(get(simple + "redis-down/")[1] for _ in range(20))
        print(f"/simple/redis-down/ with Redis up: median {alive[10] * 1000:.1f} ms, max {alive[-1] * 1000:.1f} ms")
        redis_server.stop()
        result = clients.twine_upload(legacy, token, write_dists(tmp_path / "v2", "redis-down", "2.0"))
        assert result.returncode == 0, result.stdout + result.stderr + app.log_text()
        result = clients.pip_install(simple, ["redis-down==2.0"], tmp_path / "t2")
        assert result.returncode == 0, result.stdout + result.stderr + app.log_text()
        assert clients.import_version(tmp_path / "t2", "redis_down") == "2.0"
        for path in ("/simple/", "/simple/redis-down/", "/pypi/redis-down/json", "/", "/project/redis-down/"):
            assert get(app.url + path)[0] == 200, path
        timings = sorted(get(simple + "redis-down/")[1] for _ in range(20))
        print(
            f"/simple/redis-down/ with Redis dead: median {timings[10] * 1000:.1f} ms, max {timings[-1] * 1000:.1f} ms"
        )
        assert "cache unavailable" in app.log_text()  # logged (once per outage and worker)

        # Redis back: after the breaker's second the cache is Redis again.
        redis_server.start()
        time.sleep(1.2)
        for _ in range(4):  # reach both workers
            get(simple + "redis-down/")
        from django.core.cache.backends.redis import RedisCache

        assert RedisCache(redis_server.url, {})._cache.get_client().dbsize() > 0
        assert "cache available again" in app.log_text()
