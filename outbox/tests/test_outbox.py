"""The outbox: rows written with the change, delivered after commit, retried until they succeed."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.utils import timezone

import outbox
from accounts.models import User
from devtools.testing.net import free_port
from outbox import relay
from outbox.models import Message

from . import handlers

pytestmark = pytest.mark.django_db(transaction=True)  # real commits: on_commit runs as in production


@pytest.fixture(autouse=True)
def _reset_handlers():
    handlers.CALLS.clear()
    handlers.FAIL["on"] = False
    yield
    handlers.FAIL["on"] = False


def make_due():
    """The backoff has passed (rather than sleeping through it)."""
    Message.objects.update(due=timezone.now() - timedelta(seconds=1))


SIGNUP = {
    "username": "carol",
    "name": "Carol",
    "email": "carol@example.com",
    "password1": "tulip-orbit-quarry-42",
    "password2": "tulip-orbit-quarry-42",
}


def test_signup_succeeds_while_smtp_is_down_and_the_mail_goes_out_once_it_is_back(client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", free_port(), False
    response = client.post("/account/signup/", SIGNUP)
    assert response.status_code == 302 and response["Location"] == "/account/confirm-email/"
    assert User.objects.filter(username="carol").exists()
    message = Message.objects.get()
    assert message.secret and message.attempts == 1 and "ConnectionRefusedError" in message.last_error
    assert message.due > timezone.now() + timedelta(seconds=20)  # backoff before the next try

    call_command("run_periodic", "outbox")  # not due yet: nothing happens
    assert Message.objects.get().attempts == 1

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # mail is back
    mail.outbox = []
    make_due()
    call_command("run_periodic", "outbox")
    assert [m.to for m in mail.outbox] == [["carol@example.com"]]
    assert "/account/confirm-email/" in mail.outbox[0].body
    assert not Message.objects.exists()  # the row held the confirmation link: gone once sent


def test_rolled_back_change_sends_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.enqueue(handlers.record_call, "never")
        raise RuntimeError("the change failed")
    assert not Message.objects.exists() and handlers.CALLS == []


def test_delivered_once_after_commit_and_the_row_is_deleted():
    with transaction.atomic():
        outbox.enqueue(handlers.record_call, 1, key="v")
        assert handlers.CALLS == []  # not before the commit
    assert handlers.CALLS == [((1,), {"key": "v"})]
    assert not Message.objects.exists()
    make_due()
    call_command("run_periodic", "outbox")
    assert len(handlers.CALLS) == 1


def test_failures_back_off_and_retry_until_success():
    handlers.FAIL["on"] = True
    outbox.enqueue(handlers.record_call, "x")
    delays = []
    for _ in range(3):
        message = Message.objects.get()
        delays.append(round((message.due - timezone.now()).total_seconds() / 10) * 10)
        make_due()
        relay.relay_due()
    assert delays == [30, 60, 120]
    assert Message.objects.get().attempts == 4
    handlers.FAIL["on"] = False
    make_due()
    assert relay.relay_due() == (1, 0)
    assert handlers.CALLS == [(("x",), {})] and not Message.objects.exists()
    assert relay.backlog() == {"pending": 0, "failing": 0, "oldest_seconds": 0.0}


def test_a_stale_claim_does_not_run_the_message_again():
    with transaction.atomic():
        message = outbox.enqueue(handlers.record_call, "once")
        claim = message.claim
        handlers.FAIL["on"] = True
    handlers.FAIL["on"] = False
    make_due()
    relay.relay_due()  # a new claim: the first dispatch's message, arriving late, must not run
    assert relay.deliver(message.pk, claim) is False
    assert handlers.CALLS == [(("once",), {})]


def test_merged_messages_one_per_transaction_and_savepoint():
    with transaction.atomic():
        outbox.enqueue_merged(handlers.record_call, "k", ["b"])
        outbox.enqueue_merged(handlers.record_call, "k", ["a", "b"])
        try:
            with transaction.atomic():
                outbox.enqueue_merged(handlers.record_call, "k", ["c"])
                raise ValueError
        except ValueError:
            pass
        assert Message.objects.count() == 1
    assert handlers.CALLS == [((["a", "b"],), {})]  # "c" was rolled back with its savepoint
    with transaction.atomic():
        outbox.enqueue_merged(handlers.record_call, "k", ["d"])
    assert handlers.CALLS[-1] == ((["d"],), {})


def test_backlog_counts_pending_and_failing():
    handlers.FAIL["on"] = True
    outbox.enqueue(handlers.record_call, 1)
    outbox.enqueue(handlers.record_call, 2)
    backlog = relay.backlog()
    assert backlog["pending"] == 2 and backlog["failing"] == 2 and backlog["oldest_seconds"] >= 0


def test_run_periodic_lists_and_refuses_unknown_jobs(capsys):
    call_command("run_periodic", "--list")
    assert "outbox\toutbox.relay.run_periodic" in capsys.readouterr().out
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="Unknown job"):
        call_command("run_periodic", "nope")


def test_run_periodic_runs_management_command_jobs(settings, capsys):
    settings.PERIODIC_JOBS = {"check": "command:check", "outbox": "outbox.relay.run_periodic"}
    call_command("run_periodic")
    out = capsys.readouterr().out
    assert "System check identified no issues" in out and "outbox: 0 dispatched" in out


def test_an_intent_is_committed_at_once_and_leaves_the_session_durable():
    intent = outbox.hold(handlers.record_call, "orphan.whl", after_seconds=60)
    # Stored before the guarded work starts: a second connection sees it.

    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {Message._meta.db_table} WHERE id = %s", [intent.pk])
            assert cursor.fetchone()[0] == 1
    finally:
        other.close()
    assert handlers.CALLS == []  # not dispatched on commit: only the relay runs it, when due
    if connection.vendor == "postgresql":  # the relaxed commit was for the intent's transaction alone
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"
    make_due()
    relay.relay_due()
    assert handlers.CALLS == [(("orphan.whl",), {})]


def test_an_intent_inside_a_transaction_is_rolled_back_with_it():
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.hold(handlers.record_call, "x", after_seconds=60)
        raise RuntimeError("the caller's transaction fails")
    assert not Message.objects.exists()
