"""core.cache.FallbackRedisCache against a real redis-server that the test starts and stops."""

import logging
import time

import pytest

from core import degraded
from core.cache import FallbackRedisCache
from devtools.testing.net import free_port
from devtools.testing.servers import RedisServer


def make_cache(url, fallback_seconds=5.0):
    return FallbackRedisCache(
        url, {"FALLBACK_SECONDS": fallback_seconds, "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}}
    )


def test_dead_redis_is_a_miss_and_counters_count_locally(caplog):
    cache = make_cache(f"redis://127.0.0.1:{free_port()}/0")
    before = degraded.counts().get(("cache", "get"), 0)
    seen = []
    degraded.degraded.connect(
        lambda sender, **kw: seen.append((sender, kw["what"])), weak=False, dispatch_uid="test-cache-fallback"
    )
    try:
        with caplog.at_level(logging.WARNING, logger="pypiapp.degraded"):
            assert cache.get("missing") is None
            cache.set("k", "v", 60)
            assert cache.get("k") == "v"  # written to this process's fallback during the outage
            assert cache.add("hits", 0, 60) is True
            assert [cache.incr("hits") for _ in range(3)] == [1, 2, 3]
            assert cache.get_many(["k", "nope"]) == {"k": "v"}
            cache.delete("k")
            assert cache.get("k") is None
    finally:
        degraded.degraded.disconnect(dispatch_uid="test-cache-fallback")
    assert degraded.counts()[("cache", "get")] >= before + 3
    assert ("cache", "incr") in seen
    warnings = [r for r in caplog.records if "cache unavailable" in r.getMessage()]
    assert len(warnings) == 1  # one line per outage, not one per call


def test_breaker_skips_redis_until_it_closes_then_redis_answers_again():
    server = RedisServer().start()
    try:
        cache = make_cache(server.url, fallback_seconds=0.5)
        cache.set("shared", "in-redis", 60)
        server.stop()
        started = time.monotonic()
        for _ in range(200):  # with the breaker open these never try to connect
            assert cache.get("shared") is None
        assert time.monotonic() - started < 0.5 + 0.2
        server.start()
        assert cache.get("shared") is None  # breaker still open: local fallback
        time.sleep(0.6)
        cache.set("shared", "back", 60)
        assert server_value(server, "shared", cache) == "back"
        assert not degraded.is_failing("cache")
    finally:
        server.stop()


def server_value(server, key, cache):
    """The value as Redis holds it (read with a plain RedisCache, not through the fallback)."""
    from django.core.cache.backends.redis import RedisCache

    return RedisCache(server.url, {}).get(key)


@pytest.mark.parametrize(
    "method",
    ["get", "set", "add", "incr", "delete", "get_many", "set_many", "delete_many", "has_key", "touch", "clear"],
)
def test_every_operation_falls_back(method):
    cache = make_cache(f"redis://127.0.0.1:{free_port()}/0")
    args = {
        "get": ("k",),
        "set": ("k", 1),
        "add": ("k", 1),
        "incr": ("k",),
        "delete": ("k",),
        "get_many": (["k"],),
        "set_many": ({"k": 1},),
        "delete_many": (["k"],),
        "has_key": ("k",),
        "touch": ("k",),
        "clear": (),
    }[method]
    if method == "incr":
        cache.add("k", 0)
    getattr(cache, method)(*args)  # no exception reaches the caller
