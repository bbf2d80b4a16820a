"""/metrics: who may read it, and what it counts (in one process; across gunicorn workers
see test_metrics_gunicorn.py)."""

import dramatiq
import pytest
from django.core.cache import cache
from dramatiq.brokers.stub import StubBroker
from prometheus_client.parser import text_string_to_metric_families

from api.tests.upload_support import post, wheel
from core import taskmetrics
from devtools.publish import publish
from packages.models import Project


def scrape(client, **extra):
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return response.content.decode()


def sample(text, name, **labels):
    """The value of one sample in an exposition (0 when absent)."""
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    return 0.0


def test_metrics_are_for_loopback_by_default(client, db):
    assert client.get("/metrics").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.10").status_code == 403
    # Through a front end on this host: the client's address counts, not the proxy's.
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="192.0.2.10").status_code == 403
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 200


def test_configured_addresses_and_bearer_token(client, db, settings):
    settings.METRICS_ALLOWED_IPS = ["10.1.0.0/16"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics").status_code == 403  # loopback is no longer listed
    settings.METRICS_BEARER_TOKEN = "s3cret-scrape-token"
    assert (
        client.get("/metrics", REMOTE_ADDR="192.0.2.10", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token").status_code
        == 200
    )
    refused = client.get("/metrics", REMOTE_ADDR="192.0.2.10", HTTP_AUTHORIZATION="Bearer wrong")
    assert refused.status_code == 403
    assert refused["WWW-Authenticate"].startswith("Bearer")


def test_requests_are_counted_by_route_method_and_status(client, user):
    publish(user, "counted-pkg", "1.0")
    before = scrape(client)
    client.get("/simple/counted-pkg/")
    client.get("/simple/counted-pkg/")
    client.get("/simple/no-such-project/")
    after = scrape(client)
    key = dict(route="simple_detail", method="GET")
    assert (
        sample(after, "pypi_http_requests_total", status="200", **key)
        - sample(before, "pypi_http_requests_total", status="200", **key)
        == 2
    )
    assert (
        sample(after, "pypi_http_requests_total", status="404", **key)
        - sample(before, "pypi_http_requests_total", status="404", **key)
        == 1
    )
    assert (
        sample(after, "pypi_http_request_duration_seconds_count", **key)
        - sample(before, "pypi_http_request_duration_seconds_count", **key)
        == 3
    )
    assert sample(after, "pypi_http_request_duration_seconds_bucket", le="+Inf", **key) >= 3


def test_page_cache_hits_and_misses(client, user):
    publish(user, "cached-pkg", "1.0")
    before = scrape(client)
    client.get("/simple/cached-pkg/")  # rendered
    client.get("/simple/cached-pkg/")  # from the cache
    client.get("/pypi/cached-pkg/json")
    after = scrape(client)

    def delta(name, page):
        return sample(after, name, page=page) - sample(before, name, page=page)

    assert delta("pypi_page_cache_misses_total", "simple") == 1
    assert delta("pypi_page_cache_hits_total", "simple") == 1
    assert delta("pypi_page_cache_misses_total", "json") == 1


def test_uploads_accepted_refused_and_bytes_stored(ctx, settings, django_capture_on_commit_callbacks):
    settings.PROJECT_CREATE_RATE = "1/h"  # alice created one project in ctx already
    before = scrape(ctx.client)
    filename, data = wheel()
    with django_capture_on_commit_callbacks(execute=True):  # counted once the upload commits
        assert post(ctx.client, ctx.token, filename, data).status_code == 200
    assert post(ctx.client, ctx.token, filename, data).status_code == 200  # identical: nothing stored
    bad_name, bad = wheel(version="3.0")
    assert post(ctx.client, ctx.token, bad_name, bad, version="3.0", sha256_digest="0" * 64).status_code == 400
    new_name, new = wheel("one-too-many", "1.0")
    assert post(ctx.client, ctx.token, new_name, new, name="one-too-many", version="1.0").status_code == 429
    after = scrape(ctx.client)

    def delta(name, **labels):
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert delta("pypi_uploads_accepted_total") == 1
    assert delta("pypi_stored_bytes_total") == len(data)
    # The index's total (kept for a minute in the cache: cleared here so it is read again).
    cache.clear()
    total = sample(scrape(ctx.client), "pypi_storage_bytes")
    assert total == sum(p.total_size for p in Project.objects.all()) and total >= len(data)
    assert delta("pypi_upload_refusals_total", code="digest_mismatch") == 1
    assert delta("pypi_upload_refusals_total", code="rate_limited") == 1
    assert delta("pypi_rate_limit_refusals_total", route="legacy_upload") == 1


def test_readiness_gauges_are_scraped(client, db):
    text = scrape(client)
    assert sample(text, "pypi_ready") == 1
    for dependency in ("database", "cache", "storage", "broker"):
        assert sample(text, "pypi_dependency_up", dependency=dependency) == 1


@pytest.fixture
def stub_broker():
    """dramatiq's own in-memory broker and a real Worker, with the metrics middleware."""
    broker = StubBroker()
    taskmetrics.install(broker)
    previous = dramatiq.get_broker()
    dramatiq.set_broker(broker)
    worker = dramatiq.Worker(broker, worker_timeout=50)
    worker.start()
    yield broker
    worker.stop()
    dramatiq.set_broker(previous)


def test_task_outcomes(client, db, stub_broker):
    @dramatiq.actor(broker=stub_broker, actor_name="metrics_ok")
    def works():
        pass

    @dramatiq.actor(broker=stub_broker, actor_name="metrics_flaky", max_retries=1, min_backoff=10, max_backoff=20)
    def always_fails():
        raise ValueError("boom")

    before = scrape(client)
    works.send()
    always_fails.send()
    stub_broker.join(works.queue_name, fail_fast=False)
    stub_broker.join(always_fails.queue_name, fail_fast=False)
    after = scrape(client)

    def delta(actor, outcome):
        return sample(after, "pypi_tasks_total", actor=actor, outcome=outcome) - sample(
            before, "pypi_tasks_total", actor=actor, outcome=outcome
        )

    assert (delta("metrics_ok", "sent"), delta("metrics_ok", "succeeded")) == (1, 1)
    assert (delta("metrics_flaky", "sent"), delta("metrics_flaky", "retried"), delta("metrics_flaky", "failed")) == (
        1,
        1,
        1,
    )
    assert delta("metrics_flaky", "succeeded") == 0


def test_unknown_methods_share_one_label(client, db):
    from core import metrics

    before = sample(scrape(client), "pypi_http_requests_total", route="simple_index", method="other")
    for method in ("BREW", "WHEN", "XYZZY"):
        client.generic(method, "/simple/")
    after = sample(scrape(client), "pypi_http_requests_total", route="simple_index", method="other")
    assert after - before == 3
    assert not any(key[1] in ("BREW", "WHEN", "XYZZY") for key in metrics._request_children)


def test_outbox_backlog_is_scraped(client, db):
    from datetime import timedelta

    from django.utils import timezone

    from outbox.models import Message

    assert sample(scrape(client), "pypi_outbox_backlog") == 0
    Message.objects.create(kind="devtools.nothing", payload={}, created=timezone.now() - timedelta(minutes=5))
    Message.objects.create(kind="devtools.nothing", payload={}, attempts=2)
    text = scrape(client)
    assert sample(text, "pypi_outbox_backlog") == 2
    assert sample(text, "pypi_outbox_failing") == 1
    assert 300 <= sample(text, "pypi_outbox_oldest_seconds") < 400
