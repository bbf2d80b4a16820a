"""Delivering outbox messages: after the commit that wrote them, and periodically for the rest.

`dispatch(id, claim)` sends the message to the dramatiq worker (`outbox.tasks.deliver_message`);
with the in-process broker that runs it at once. `deliver(id, claim)` runs it: only while the
row still carries `claim` (so a message dispatched twice runs once), deleting the row on
success and, on failure, recording the error and making the row due again after a backoff
(30 s, doubling, at most an hour; retried until it succeeds). `relay_due()` is the periodic
job (`manage.py run_periodic outbox`): it claims every due row and dispatches it. A broker that
cannot be reached leaves the row due for the next run. Failures are counted and signalled
through core.degraded ("outbox" per kind, "broker" for sends).
"""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.db.models import Min
from django.utils import timezone
from django.utils.module_loading import import_string

from core import degraded

from .models import Message

logger = logging.getLogger(__name__)
BATCH = 500


def backoff_seconds(attempts):
    return min(settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), settings.OUTBOX_RETRY_MAX_SECONDS)


def dispatch(message_id, claim):
    from .tasks import deliver_message

    try:
        deliver_message.send(message_id, claim)
    except Exception as exc:  # noqa: BLE001  (any broker failure: the periodic relay sends it later)
        degraded.fallback("broker", "send", exc)
        Message.objects.filter(pk=message_id, claim=claim).update(due=timezone.now(), claim="")
        return False
    if degraded.is_failing("broker"):
        degraded.recovered_from("broker")
    return True


def deliver(message_id, claim):
    """Run one message if `claim` is still its claim. True when it ran and succeeded."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    if not Message.objects.filter(pk=message_id, claim=claim).update(claim="", due=lease):
        return False  # delivered already, or dispatched again since (another claim holds it)
    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        return False
    try:
        import_string(message.kind)(*message.payload.get("args", []), **message.payload.get("kwargs", {}))
    except Exception as exc:  # noqa: BLE001  (whatever the handler raised is recorded and retried)
        attempts = message.attempts + 1
        error = f"{type(exc).__name__}: {exc}"[:2000]
        Message.objects.filter(pk=message_id).update(
            attempts=attempts, last_error=error, due=timezone.now() + timedelta(seconds=backoff_seconds(attempts))
        )
        degraded.fallback("outbox", message.kind, exc)
        logger.warning("outbox %s #%s failed (attempt %s): %s", message.kind, message_id, attempts, error)
        return False
    Message.objects.filter(pk=message_id).delete()
    return True


def relay_due(limit=BATCH):
    """Dispatch every message that is due (the periodic job). Returns (dispatched, failed to dispatch)."""
    sent = failed = 0
    now = timezone.now()
    for message_id in list(Message.objects.filter(due__lte=now).order_by("due").values_list("pk", flat=True)[:limit]):
        claim = secrets.token_hex(8)
        lease = now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
        if not Message.objects.filter(pk=message_id, due__lte=now).update(claim=claim, due=lease):
            continue  # someone else took it
        if dispatch(message_id, claim):
            sent += 1
        else:
            failed += 1
            break  # the broker is down: the rest waits for the next run
    return sent, failed


def run_periodic():
    sent, failed = relay_due()
    return f"outbox: {sent} dispatched, {failed} could not be dispatched, {backlog()['pending']} pending"


def backlog():
    """{"pending": rows not yet delivered, "failing": of those, rows that failed at least once,
    "oldest_seconds": age of the oldest} (for metrics and health checks)."""
    pending = Message.objects.count()
    oldest = Message.objects.aggregate(m=Min("created"))["m"]
    return {
        "pending": pending,
        "failing": Message.objects.filter(attempts__gt=0).count() if pending else 0,
        "oldest_seconds": (timezone.now() - oldest).total_seconds() if oldest else 0.0,
    }
