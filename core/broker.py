"""Chooses the dramatiq broker before any actor is declared.

Every `tasks.py` imports this module first. The broker comes from the settings
(which read the environment): TASK_BROKER=redis|rabbitmq|inprocess, or, when empty,
RabbitMQ if RABBITMQ_URL is set, Redis if REDIS_URL is set, and otherwise the in-process
broker, which runs each message at once in the sending process so that `make run` needs
no worker.
"""

import dramatiq
from django.conf import settings
from dramatiq.brokers.stub import StubBroker

from core import metrics, taskmetrics


class InProcessBroker(StubBroker):
    """Runs each enqueued message immediately, in the caller's thread."""

    def enqueue(self, message: dramatiq.Message, *, delay: int | None = None) -> dramatiq.Message:
        actor = self.get_actor(message.actor_name)
        metrics.task(message.actor_name, "sent")
        try:
            actor.fn(*message.args, **message.kwargs)
        except BaseException:
            metrics.task(message.actor_name, "failed")
            raise
        metrics.task(message.actor_name, "succeeded")
        return message


def build_broker(kind: str | None = None) -> dramatiq.Broker:
    kind = (kind if kind is not None else settings.TASK_BROKER).lower()
    rabbitmq_url = settings.RABBITMQ_URL
    redis_url = settings.REDIS_URL
    if not kind:
        kind = "rabbitmq" if rabbitmq_url else "redis" if redis_url else "inprocess"
    if kind == "rabbitmq":
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        return RabbitmqBroker(url=rabbitmq_url or "amqp://guest:guest@127.0.0.1:5672")
    if kind == "redis":
        from dramatiq.brokers.redis import RedisBroker

        return RedisBroker(url=redis_url or "redis://127.0.0.1:6379/0")
    if kind == "inprocess":
        return InProcessBroker()
    raise ValueError(f"Unknown TASK_BROKER {kind!r}: use redis, rabbitmq or inprocess")


if not getattr(dramatiq, "_pypiapp_broker_set", False):
    _broker = build_broker()
    taskmetrics.install(_broker)  # task outcome counters (core/taskmetrics.py)
    dramatiq.set_broker(_broker)
    dramatiq._pypiapp_broker_set = True
