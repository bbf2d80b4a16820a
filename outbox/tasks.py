"""The dramatiq actor that delivers outbox messages in workers (see outbox/relay.py).

Dramatiq does not retry it: a failed message stays in the outbox, due again after its
backoff, and the periodic relay dispatches it again."""

import dramatiq

from core import broker  # noqa: F401  (the broker must be set before actors are declared)

QUEUE = "outbox"


@dramatiq.actor(queue_name=QUEUE, max_retries=0, time_limit=10 * 60_000)
def deliver_message(message_id, claim):
    from .relay import deliver

    deliver(message_id, claim)
