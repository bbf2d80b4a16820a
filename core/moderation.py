"""What every staff action shares, whichever app owns the thing it changes.

Project moderation lives in packages/moderation.py, account moderation in
accounts/moderation.py; both refuse an action without a reason (ModerationError, shown
to staff as is) and leave a Django admin LogEntry when a person is behind it.
"""

from typing import Any

from django.contrib.admin.models import CHANGE, LogEntry
from django.db.models import Model


class ModerationError(Exception):
    """A staff action that can't be done; the message is shown to staff as is."""


def require_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ModerationError("A reason is required.")
    return reason


def person(actor: Any) -> Any:
    """The actor as a user row (None for scripts), for FK fields."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        return actor
    return None


def log_staff_action(actor: Any, obj: Model, message: str, flag: int = CHANGE) -> LogEntry | None:
    """Django admin LogEntry for `obj`; skipped only when no person is behind the action (scripts)."""
    if person(actor) is None:
        return None
    return LogEntry.objects.log_actions(actor.pk, [obj], flag, change_message=message, single_object=True)
