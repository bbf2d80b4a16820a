"""Staff moderation of accounts: freeze, unfreeze, two-factor reset.

The admin (accounts/admin.py) and `manage.py freeze_user` call these. Each change is
recorded in the user's security history and, when a staff person did it, in the admin's
history (core/moderation.py). Project moderation is in packages/moderation.py.
"""

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from core.moderation import ModerationError, log_staff_action, require_reason

from .models import ApiToken, SecurityEvent
from .services import record_security_event

__all__ = ["ModerationError", "freeze_user", "reset_two_factor", "unfreeze_user"]


def _delete_sessions(user):
    """Delete the user's sessions (the auth backends also refuse frozen users on every request)."""
    doomed = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            doomed.append(session.pk)
    Session.objects.filter(pk__in=doomed).delete()
    return len(doomed)


@transaction.atomic
def freeze_user(user, actor, reason, request=None):
    """Freeze: no login, no upload; every session and API token is revoked."""
    reason = require_reason(reason)
    if user.is_frozen:
        raise ModerationError(f"'{user.username}' is already frozen.")
    if actor is not None and actor.pk == user.pk:
        raise ModerationError("You cannot freeze your own account.")
    if user.is_superuser and actor is not None and not actor.is_superuser:
        raise ModerationError("Only a superuser can freeze a superuser.")
    user.is_frozen = True
    user.frozen_reason = reason
    user.frozen_at = timezone.now()
    user.save(update_fields=["is_frozen", "frozen_reason", "frozen_at"])
    revoked = ApiToken.objects.filter(user=user, revoked__isnull=True).update(revoked=timezone.now())
    sessions = _delete_sessions(user)
    record_security_event(
        user,
        SecurityEvent.Tag.ACCOUNT_FROZEN,
        request,
        reason=reason,
        by=getattr(actor, "username", None),
        tokens_revoked=revoked,
    )
    log_staff_action(actor, user, f"Froze account ({revoked} tokens, {sessions} sessions revoked): {reason}")
    return {"tokens": revoked, "sessions": sessions}


@transaction.atomic
def unfreeze_user(user, actor, reason, request=None):
    """Lift a freeze. Revoked tokens stay revoked: the user creates new ones."""
    reason = require_reason(reason)
    if not user.is_frozen:
        raise ModerationError(f"'{user.username}' is not frozen.")
    user.is_frozen = False
    user.frozen_reason = ""
    user.frozen_at = None
    user.save(update_fields=["is_frozen", "frozen_reason", "frozen_at"])
    record_security_event(
        user, SecurityEvent.Tag.ACCOUNT_UNFROZEN, request, reason=reason, by=getattr(actor, "username", None)
    )
    log_staff_action(actor, user, f"Unfroze account: {reason}")


@transaction.atomic
def reset_two_factor(user, actor, reason, request=None):
    """Delete every 2FA method (TOTP, security keys, recovery codes) after staff checked identity."""
    from allauth.mfa.models import Authenticator

    reason = require_reason(reason)
    deleted, _ = Authenticator.objects.filter(user=user).delete()
    if not deleted:
        raise ModerationError(f"'{user.username}' has no two-factor methods.")
    record_security_event(
        user, SecurityEvent.Tag.MFA_RESET, request, reason=reason, by=getattr(actor, "username", None)
    )
    log_staff_action(actor, user, f"Reset two-factor authentication: {reason}")
    return deleted
