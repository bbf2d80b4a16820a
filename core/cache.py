"""Django's Redis cache, falling back to a local in-process cache while Redis is unreachable.

Every operation that fails with a Redis error (refused, timed out, loading, ...) is answered by
a LocMemCache of this process instead: a read is a miss or what this process wrote during the
outage, a write lands locally, and `incr`/`add` counters (rate limits, throttles) count per
process. After a failure the breaker stays open for FALLBACK_SECONDS: calls go straight to the
local cache, so a dead Redis costs no connect attempt per request; the first call after that
tries Redis again. Each fallback is counted and signalled through core.degraded.

Settings (CACHES["default"]): BACKEND "core.cache.FallbackRedisCache", LOCATION the Redis URL,
FALLBACK_SECONDS (default 5), OPTIONS as for RedisCache (socket_connect_timeout and
socket_timeout keep a black-holed Redis from holding a request for long).
"""

import threading
import time
from collections.abc import Iterable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

from . import degraded

COMPONENT = "cache"


class FallbackRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self.fallback_seconds = float(params.get("FALLBACK_SECONDS", 5))
        local_params: dict[str, Any] = {
            key: params[key] for key in ("TIMEOUT", "KEY_PREFIX", "VERSION", "KEY_FUNCTION") if key in params
        }
        local_params["OPTIONS"] = {"MAX_ENTRIES": int(params.get("FALLBACK_MAX_ENTRIES", 3000))}
        self.local = LocMemCache(f"fallback-{id(self)}", local_params)
        self._open_until = 0.0
        self._lock = threading.Lock()

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() < self._open_until:
            degraded.fallback(COMPONENT, name)
            return getattr(self.local, name)(*args, **kwargs)
        try:
            result = getattr(super(), name)(*args, **kwargs)
        except RedisError as exc:
            with self._lock:
                self._open_until = time.monotonic() + self.fallback_seconds
            degraded.fallback(COMPONENT, name, exc)
            return getattr(self.local, name)(*args, **kwargs)
        if degraded.is_failing(COMPONENT):
            degraded.recovered_from(COMPONENT)
        return result

    def ping(self) -> None:
        """Ask Redis itself (never the fallback): raises while it is unreachable (/_health/ready)."""
        self._cache.get_client(write=True).ping()

    def add(self, key: Any, value: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._call("add", key, value, timeout, version=version)

    def get(self, key: Any, default: Any | None = None, version: int | None = None) -> Any:
        return self._call("get", key, default, version=version)

    def set(self, key: Any, value: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        return self._call("set", key, value, timeout, version=version)

    def touch(self, key: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._call("touch", key, timeout, version=version)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._call("delete", key, version=version)

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        return self._call("get_many", keys, version=version)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._call("has_key", key, version=version)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        return self._call("incr", key, delta, version=version)

    def set_many(
        self, data: dict[Any, Any], timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        return self._call("set_many", data, timeout, version=version)

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        return self._call("delete_many", keys, version=version)

    def clear(self) -> None:
        self.local.clear()
        return self._call("clear")
