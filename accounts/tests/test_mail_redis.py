"""Account mail through the outbox, a real Redis broker and a dramatiq worker (Redis on 127.0.0.1:6379, as in CI)."""

import pytest
import redis
from dramatiq import Worker
from dramatiq.brokers.redis import RedisBroker

from accounts import tasks as mail_tasks
from outbox import tasks
from outbox.models import Message

from .support import link_in, path_of, reauthenticate

pytestmark = pytest.mark.django_db(transaction=True)  # the worker's threads read the outbox rows

REDIS_URL = "redis://127.0.0.1:6379/4"  # a database of our own: other suites may use 0


@pytest.fixture
def redis_broker():
    broker = RedisBroker(url=REDIS_URL, namespace="pypiapp-test-accounts")
    try:
        broker.client.ping()
    except redis.ConnectionError as exc:
        pytest.fail(f"Redis is needed on 127.0.0.1:6379 for the broker tests: {exc}")
    previous = tasks.deliver_message.broker
    broker.declare_actor(tasks.deliver_message)
    tasks.deliver_message.broker = broker
    broker.flush_all()
    yield broker
    tasks.deliver_message.broker = previous
    broker.flush_all()
    broker.close()


def queued(broker):
    return broker.client.llen(f"{broker.namespace}:{tasks.QUEUE}")


def run_worker(broker):
    """Start a worker, wait until the mail queue is drained, stop it."""
    worker = Worker(broker, worker_threads=1, worker_timeout=100)
    worker.start()
    try:
        broker.join(tasks.QUEUE, timeout=20_000)
        worker.join()
    finally:
        worker.stop()


def test_confirmation_mail_goes_through_redis(client, deliver, outbox, redis_broker, settings):
    with deliver():
        response = client.post(
            "/account/signup/",
            {
                "username": "carol",
                "name": "Carol",
                "email": "carol@example.com",
                "password1": "tulip-orbit-quarry-42",
                "password2": "tulip-orbit-quarry-42",
            },
        )
    assert response.status_code == 302
    # Queued in Redis, not sent yet: nothing consumes the queue until a worker runs.
    assert queued(redis_broker) == 1 and outbox == [] and Message.objects.count() == 1
    run_worker(redis_broker)
    assert queued(redis_broker) == 0
    assert Message.objects.count() == 0  # delivered, and the row (it held the link) is gone
    assert [m.to for m in outbox] == [["carol@example.com"]]
    assert outbox[0].subject.startswith(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + "Please Confirm")
    with deliver():
        client.post(path_of(link_in(outbox[0], "/account/confirm-email/")))
    from accounts.models import User

    assert User.objects.get(username="carol").has_verified_primary_email()


def test_token_and_email_notices_go_through_redis(client, user, password, deliver, outbox, redis_broker):
    client.force_login(user)
    reauthenticate(client, password)
    with deliver():
        client.post("/manage/account/tokens/new/", {"name": "ci", "scope": "account"})
        client.post("/account/email/", {"email": "alice@work.example", "action_add": ""})
    assert queued(redis_broker) == 3 and outbox == []
    run_worker(redis_broker)
    assert Message.objects.count() == 0
    subjects = sorted((m.to[0], m.subject) for m in outbox)
    assert [to for to, _ in subjects] == ["alice@example.com", "alice@example.com", "alice@work.example"]
    assert any("API token was created" in s for _, s in subjects)
    assert any("new email address was added" in s for _, s in subjects)
    assert any("Confirm" in s for _, s in subjects)


def test_message_round_trip_keeps_html_alternative():
    from django.core.mail import EmailMultiAlternatives

    message = EmailMultiAlternatives("Hi", "text body", "from@example.com", ["to@example.com"], headers={"X-A": "1"})
    message.attach_alternative("<p>html</p>", "text/html")
    again = mail_tasks.message_from_dict(mail_tasks.message_to_dict(message))
    assert (again.subject, again.body, again.to) == ("Hi", "text body", ["to@example.com"])
    assert again.extra_headers == {"X-A": "1"}
    assert [tuple(a) for a in again.alternatives] == [("<p>html</p>", "text/html")]
