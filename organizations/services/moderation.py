"""Staff actions on an organization (the admin, with a reason): freeze and unfreeze (a frozen
organization's projects take no uploads, api/upload/policy.py, and it takes no new projects),
and allowing private projects."""

from django.db import transaction
from django.utils import timezone

from core.moderation import ModerationError, log_staff_action, require_reason

from ..models import Organization
from .events import record_event


def _locked(organization):
    """The caller's organization, row-locked and read again (its flags as they are now)."""
    list(Organization.objects.select_for_update().filter(pk=organization.pk).values_list("pk"))
    organization.refresh_from_db(fields=["is_frozen", "frozen_reason", "private_capable"])
    return organization


@transaction.atomic
def freeze(organization, actor, reason):
    reason = require_reason(reason)
    organization = _locked(organization)
    if organization.is_frozen:
        raise ModerationError("The organization is already frozen.")
    organization.is_frozen, organization.frozen_reason = True, reason
    organization.save(update_fields=["is_frozen", "frozen_reason"])
    record_event(organization, f"frozen by the index staff: {reason}", actor)
    log_staff_action(actor, organization, f"Frozen ({timezone.now():%Y-%m-%d}): {reason}")
    return organization


@transaction.atomic
def unfreeze(organization, actor, reason):
    reason = require_reason(reason)
    organization = _locked(organization)
    if not organization.is_frozen:
        raise ModerationError("The organization is not frozen.")
    organization.is_frozen, organization.frozen_reason = False, ""
    organization.save(update_fields=["is_frozen", "frozen_reason"])
    record_event(organization, f"unfrozen by the index staff: {reason}", actor)
    log_staff_action(actor, organization, f"Unfrozen: {reason}")
    return organization


@transaction.atomic
def allow_private(organization, actor, reason):
    """Staff make the organization private-capable: its Owners may then mark its projects private."""
    reason = require_reason(reason)
    organization = _locked(organization)
    if organization.private_capable:
        raise ModerationError("The organization is already private-capable.")
    organization.private_capable = True
    organization.save(update_fields=["private_capable"])
    record_event(organization, f"made private-capable by the index staff: {reason}", actor)
    log_staff_action(actor, organization, f"Made private-capable: {reason}")
    return organization
