"""/_health/ (liveness) and /_health/ready (readiness) against real dependencies."""

import json
import socket
import threading
import time

import pytest

from devtools.testing.servers import AppServer, PostgresServer, RedisServer, get


def test_liveness_touches_no_dependency_and_takes_the_short_chain(call_app, django_assert_num_queries):
    with django_assert_num_queries(0):
        status, headers, body = call_app("GET", "/_health/")
    assert (status, body) == (200, b"ok\n")
    assert "Set-Cookie" not in headers and "Cookie" not in headers.get("Vary", "")
    assert "no-cache" in headers["Cache-Control"]
    from pypiapp.wsgi import application

    assert "/_health/" in application.prefixes  # GET/HEAD take the installers' short chain
    assert call_app("POST", "/_health/")[0] == 405


def test_readiness_all_ok(call_app):
    status, headers, body = call_app("GET", "/_health/ready")
    document = json.loads(body)
    assert status == 200, document
    assert document["status"] == "ok"
    assert document["checks"] == {"database": "ok", "cache": "ok", "storage": "ok", "broker": "ok"}
    assert "Set-Cookie" not in headers


def test_storage_that_cannot_hold_files_makes_the_node_unavailable(call_app, settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    settings.STORAGES = {
        **settings.STORAGES,
        "packages": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocker / "packages")},
        },
    }
    status, _, body = call_app("GET", "/_health/ready")
    document = json.loads(body)
    assert status == 503
    assert document["status"] == "unavailable"
    assert document["checks"]["storage"].startswith("error: ")
    assert document["checks"]["database"] == "ok"


@pytest.fixture
def silent_server():
    """A TCP server that accepts connections and never answers (a hung dependency)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()  # the hung check gets an error and its thread returns
    listener.close()


def test_a_hung_cache_is_degraded_within_the_timeout_and_not_asked_twice(call_app, settings, silent_server):
    settings.HEALTH_CHECK_TIMEOUT = 0.5
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{silent_server}/0",
        }
    }
    started = time.monotonic()
    status, _, body = call_app("GET", "/_health/ready")
    elapsed = time.monotonic() - started
    document = json.loads(body)
    assert status == 200  # the index serves without its cache
    assert document["status"] == "degraded"
    assert document["checks"]["cache"] == "degraded"
    assert document["details"]["cache"].startswith("timeout")
    assert elapsed < 5, elapsed
    # Still hanging: the next call does not start a second check.
    document = json.loads(call_app("GET", "/_health/ready")[2])
    assert document["details"]["cache"] == "timeout: the previous check has not returned yet"


@pytest.mark.e2e
def test_readiness_follows_real_postgresql_and_redis_being_stopped(tmp_path):
    """gunicorn on its own PostgreSQL and Redis (cache and broker): Redis stopped is
    `degraded` (200); PostgreSQL stopped is 503; both back, ready again."""
    with PostgresServer() as pg, RedisServer() as redis:
        env = {
            "DATABASE_URL": pg.url,
            "CACHE_URL": redis.url,
            "REDIS_URL": redis.url,
            "TASK_BROKER": "redis",
            "HEALTH_CHECK_TIMEOUT": "2",
            "DB_CONNECT_TIMEOUT": "2",
            "DB_CONN_MAX_AGE": "60",
        }
        with AppServer(tmp_path, env=env, workers=1) as server:
            ready = server.url + "/_health/ready"
            status, _, body = get(ready)
            assert status == 200, body
            assert json.loads(body)["checks"] == {"database": "ok", "cache": "ok", "storage": "ok", "broker": "ok"}

            redis.stop()
            status, _, body = get(ready)
            document = json.loads(body)
            assert status == 200, document
            assert document["status"] == "degraded"
            assert document["checks"]["cache"] == document["checks"]["broker"] == "degraded"
            assert document["checks"]["database"] == document["checks"]["storage"] == "ok"

            pg.stop()
            started = time.monotonic()
            status, _, body = get(ready)
            document = json.loads(body)
            assert status == 503, document
            assert document["status"] == "unavailable"
            assert document["checks"]["database"].startswith("error: OperationalError")
            assert time.monotonic() - started < 10
            assert get(server.url + "/_health/")[0] == 200  # alive all the same

            pg.start()
            redis.start()
            status, _, body = get(ready)
            assert status == 200, body
            assert json.loads(body)["status"] == "ok"


@pytest.fixture
def use_broker():
    """use_broker(broker): make it dramatiq's broker for the test."""
    import dramatiq

    previous = dramatiq.get_broker()
    yield dramatiq.set_broker
    dramatiq.set_broker(previous)


def _listening(port):
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.skipif(not _listening(5672), reason="no RabbitMQ on 127.0.0.1:5672")
def test_rabbitmq_broker_is_pinged(call_app, use_broker):
    from dramatiq.brokers.rabbitmq import RabbitmqBroker

    from devtools.testing.net import free_port

    broker = RabbitmqBroker(url="amqp://guest:guest@127.0.0.1:5672")
    use_broker(broker)
    try:
        assert json.loads(call_app("GET", "/_health/ready")[2])["checks"]["broker"] == "ok"
        assert json.loads(call_app("GET", "/_health/ready")[2])["checks"]["broker"] == "ok"  # the kept connection
    finally:
        broker.close()
    gone = RabbitmqBroker(url=f"amqp://guest:guest@127.0.0.1:{free_port()}")
    use_broker(gone)
    status, _, body = call_app("GET", "/_health/ready")
    document = json.loads(body)
    assert status == 200 and document["checks"]["broker"] == "degraded", document
    assert document["details"]["broker"].startswith("AMQPConnectionError"), document["details"]
