"""A dramatiq middleware counting task messages: sent, succeeded, failed, retried.

`install(broker)` puts it before dramatiq's Retries middleware in the broker's list; dramatiq
runs "after" hooks in reverse order, so Retries' after_process_message has run by the time
ours does: a message that raised is then either failed (retries exhausted, or an exception
the actor `throws`) or has been enqueued again (retried).
"""

from typing import Any

from dramatiq import Broker, Message, Middleware
from dramatiq.broker import MessageProxy
from dramatiq.middleware import Retries

from . import metrics


class TaskMetrics(Middleware):
    def after_enqueue(self, broker: Broker, message: Message, delay: int) -> None:
        if not message.options.get("retries"):  # a retry's re-enqueue is counted as "retried"
            metrics.task(message.actor_name, "sent")

    def after_process_message(
        self, broker: Broker, message: MessageProxy, *, result: Any = None, exception: BaseException | None = None
    ) -> None:
        if exception is None:
            outcome = "succeeded"
        elif message.failed:
            outcome = "failed"
        else:
            outcome = "retried"
        metrics.task(message.actor_name, outcome)

    def after_skip_message(self, broker: Broker, message: MessageProxy) -> None:
        metrics.task(message.actor_name, "failed")


def install(broker: Broker) -> None:
    if any(isinstance(m, Retries) for m in broker.middleware):
        broker.add_middleware(TaskMetrics(), before=Retries)
    else:
        broker.add_middleware(TaskMetrics())
