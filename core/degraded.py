"""One place that notes when the site runs degraded: a dependency failed and a fallback answered.

Callers (the cache backend, the outbox relay, the 503 handler) call `fallback(component, what,
exc)`. Each call is counted in this process (`counts()`) and sent as the `degraded` signal, so
metrics can count it without this module knowing about them; the first failure after a healthy
spell is logged as a warning (the logger is "pypiapp.degraded"), the rest only at debug level so
a dead Redis does not write a line per request.
"""

import logging
import threading
from collections import Counter

from django.dispatch import Signal

logger = logging.getLogger("pypiapp.degraded")

# sender: the component ("cache", "broker", "database", "outbox"); kwargs: what, error.
degraded = Signal()
# sender: the component; sent when it answers again after a failure.
recovered = Signal()

_lock = threading.Lock()
_counts: Counter[tuple[str, str]] = Counter()
_failing: set[str] = set()


def fallback(component: str, what: str, exc: BaseException | None = None) -> None:
    """Count one fallback of `component` (e.g. "cache", "get") and tell whoever listens."""
    with _lock:
        _counts[(component, what)] += 1
        first = component not in _failing
        _failing.add(component)
    if first:
        logger.warning("%s unavailable (%s: %s); falling back", component, what, exc)
    else:
        logger.debug("%s still unavailable (%s: %s)", component, what, exc)
    degraded.send(sender=component, what=what, error=exc)


def recovered_from(component: str) -> None:
    """`component` answered again: the next failure is logged as a warning once more."""
    with _lock:
        if component not in _failing:
            return
        _failing.discard(component)
    logger.warning("%s available again", component)
    recovered.send(sender=component)


def is_failing(component: str) -> bool:
    return component in _failing


def counts() -> dict[tuple[str, str], int]:
    """{(component, what): fallbacks in this process since it started}."""
    with _lock:
        return dict(_counts)
