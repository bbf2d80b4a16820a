"""Writing to the outbox: `enqueue()` in the transaction of the change, delivery after it commits.

    outbox.enqueue(tasks.send_email, data, secret=True)

stores a row in the current transaction (so a rolled-back change sends nothing and a committed
one cannot lose its work) and, once the transaction commits, hands it to the relay
(outbox/relay.py): to the dramatiq worker when a broker is configured, run right here with the
in-process broker (`make run`). Whatever fails on the way is retried by the periodic relay.
`fn` is a module-level function or dramatiq actor; args and kwargs must be JSON.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import Message


def kind_of(fn):
    fn = getattr(fn, "fn", fn)  # a dramatiq actor: its function's path imports the actor
    return f"{fn.__module__}.{fn.__qualname__}"


def enqueue(fn, *args, secret=False, **kwargs):
    claim = secrets.token_hex(8)
    message = Message.objects.create(
        kind=kind_of(fn),
        payload={"args": list(args), "kwargs": kwargs},
        secret=secret,
        claim=claim,
        # Held for the after-commit dispatch; if that never happens the relay takes it after the lease.
        due=timezone.now() + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS),
    )
    transaction.on_commit(lambda: _dispatch_after_commit(message.pk, claim))
    return message


def _dispatch_after_commit(message_id, claim):
    from .relay import dispatch

    dispatch(message_id, claim)


def enqueue_merged(fn, key, values, *, secret=False):
    """Like enqueue(fn, sorted(values)), but one row per transaction and `key`: a change that
    calls this several times (one upload writes four journal entries, each purging the same
    pages) leaves one message with the union of the values."""
    pending = _merged_pending(key)
    if pending is None:
        message = enqueue(fn, sorted(set(values)), secret=secret)
        _remember(key, message, set(values))
        return message
    message, known = pending
    if not set(values) <= known:
        known.update(values)
        message.payload = {"args": [sorted(known)], "kwargs": {}}
        Message.objects.filter(pk=message.pk).update(payload=message.payload)
    return message


def _merged_pending(key):
    """The row this transaction already wrote for `key`, while its on-commit marker is still
    queued and has not run (a commit runs it; a rollback, of the transaction or of the savepoint
    that wrote the row, drops it)."""
    for _sids, callback, _robust in connection.run_on_commit:
        state = getattr(callback, "outbox_state", None)
        if state is not None and state["key"] == key and not state["done"]:
            return state["message"], state["values"]
    return None


def _remember(key, message, values):
    state = {"key": key, "message": message, "values": values, "done": False}

    def marker():
        state["done"] = True

    marker.outbox_state = state
    transaction.on_commit(marker)


def schedule(fn, *args, after_seconds, **kwargs):
    """A message that the periodic relay dispatches once `after_seconds` have passed (not on commit)."""
    return Message.objects.create(
        kind=kind_of(fn),
        payload={"args": list(args), "kwargs": kwargs},
        due=timezone.now() + timedelta(seconds=after_seconds),
    )


def hold(fn, *args, after_seconds, **kwargs):
    """An intent: a message that runs `fn(*args, **kwargs)` once `after_seconds` have passed,
    unless cancel() deletes it first, in the transaction that makes it unnecessary. It is not
    dispatched on commit; the periodic relay runs it when due. Call it outside any transaction so
    that it is stored before the work it guards starts (and survives a killed process)."""
    if connection.in_atomic_block:  # joins the caller's transaction, durability and all
        return schedule(fn, *args, after_seconds=after_seconds, **kwargs)
    with transaction.atomic():
        _commit_without_waiting_for_disk()
        return schedule(fn, *args, after_seconds=after_seconds, **kwargs)


def _commit_without_waiting_for_disk():
    """An intent guards against this process dying, not the database server: once PostgreSQL has
    the commit it keeps it whatever happens to us, so it need not wait for its WAL to reach the
    disk (the few hundred milliseconds a crash of the server itself could lose are covered by the
    storage sweep, packages/orphans.py). On a loaded disk that wait was most of an intent's cost
    (13 of an upload's 51 ms, bench/upload_loop.py); SQLite has no such switch."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")  # this transaction only


def cancel(message):
    Message.objects.filter(pk=message.pk).delete()
