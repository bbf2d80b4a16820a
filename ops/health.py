"""Readiness: can this node serve? Each dependency is checked with a bounded wait.

The database and package storage are required (without them no page or file can be
served: the node answers 503 and the balancer takes it out); the cache and the task broker
are not (the index keeps serving without them, slower or with tasks run later), so their
failure is reported as "degraded" with a 200. The database is checked in the request's
thread on its usual connection (bounded by DB_CONNECT_TIMEOUT); the others run in a small
pool of threads and count as failed after settings.HEALTH_CHECK_TIMEOUT seconds. A check
still hanging from an earlier call is not started again, so a dead dependency ties up at
most one thread per check.
"""

import os
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import dramatiq
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, storages
from django.db import connections

OK, DEGRADED = "ok", "degraded"
REQUIRED = ("database", "storage")
_PROBE_KEY = "health:probe"
_PROBE_FILE = ".health-probe"  # looked up, never written


def check_database():
    connection = connections["default"]
    for attempt in (1, 2):  # a persistent connection may have died with a restarted server
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            return
        except Exception:  # any failure: retry once on a fresh connection
            connection.close()
            if attempt == 2:
                raise


def check_cache():
    ping = getattr(cache, "ping", None)  # core.cache.FallbackRedisCache: Redis itself, not the fallback
    if ping is not None:
        ping()
        return
    cache.set(_PROBE_KEY, 1, 10)
    if cache.get(_PROBE_KEY) != 1:
        raise RuntimeError("cache does not keep what was written to it")


def check_storage():
    storage = storages["packages"]
    if isinstance(storage, FileSystemStorage):
        # As the first upload would: a directory that cannot be made means nothing can be stored.
        os.makedirs(storage.location, exist_ok=True)
        if not os.access(storage.location, os.R_OK | os.X_OK):
            raise PermissionError(f"package storage directory {storage.location} is not readable")
    storage.exists(_PROBE_FILE)  # a round trip to the object store (HEAD) for S3


def _ping_redis(broker):
    broker.client.ping()


def _ping_rabbitmq(broker):
    try:
        broker.connection.process_data_events(time_limit=0)
    except Exception:
        del broker.connection  # the next check opens a new one
        raise


_BROKER_PINGS = {"RedisBroker": _ping_redis, "RabbitmqBroker": _ping_rabbitmq}


def check_broker():
    broker = dramatiq.get_broker()
    ping = _BROKER_PINGS.get(type(broker).__name__)
    if ping is not None:  # the in-process broker has nothing to reach
        ping(broker)


THREADED_CHECKS = {"cache": check_cache, "storage": check_storage, "broker": check_broker}
_pool = ThreadPoolExecutor(max_workers=len(THREADED_CHECKS), thread_name_prefix="health")
_running: dict = {}


def _describe(exc) -> str:
    text = " ".join(str(exc).split()) or "no message"
    return f"{type(exc).__name__}: {text}"[:300]


def _submit(name, check):
    previous = _running.get(name)
    if previous is not None and not previous.done():
        return None
    future = _running[name] = _pool.submit(check)
    return future


def run_checks() -> dict:
    """{"status": ok|degraded|unavailable, "checks": {name: ok|degraded|error: …}, "details": {…}}."""
    futures = {name: _submit(name, check) for name, check in THREADED_CHECKS.items()}
    deadline = time.monotonic() + settings.HEALTH_CHECK_TIMEOUT
    errors = {}
    try:
        check_database()
    except Exception as exc:  # noqa: BLE001 (whatever the driver raises is the answer)
        errors["database"] = _describe(exc)
    for name, future in futures.items():
        if future is None:
            errors[name] = "timeout: the previous check has not returned yet"
            continue
        try:
            future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout:
            errors[name] = f"timeout: no answer within {settings.HEALTH_CHECK_TIMEOUT:g} s"
        except Exception as exc:  # noqa: BLE001 (whatever the client raises is the answer)
            errors[name] = _describe(exc)
    checks = {}
    for name in ("database", "cache", "storage", "broker"):
        if name not in errors:
            checks[name] = OK
        elif name in REQUIRED:
            checks[name] = "error: " + errors[name]
        else:
            checks[name] = DEGRADED
    unavailable = any(name in errors for name in REQUIRED)
    status = "unavailable" if unavailable else DEGRADED if errors else OK
    return {"status": status, "checks": checks, "details": errors}
