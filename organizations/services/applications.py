"""Applying for an organization, and the staff's decision; or staff create one directly."""

from django.db import transaction
from django.utils import timezone

import outbox
from core.moderation import ModerationError, log_staff_action, person, require_reason

from .. import tasks
from ..models import Organization, OrganizationApplication, OrganizationKind, OrganizationRole
from .errors import OrganizationError
from .events import record_event
from .names import check_name

# A user waits for the staff's answer to at most this many applications at once.
MAX_PENDING_APPLICATIONS = 3


@transaction.atomic
def apply(user, *, name, display_name, url="", description="", kind=OrganizationKind.COMMUNITY):
    """A pending application by `user`, for the staff's queue in the admin."""
    name, normalized = check_name(name)
    pending = OrganizationApplication.objects.filter(submitted_by=user, status=OrganizationApplication.Status.PENDING)
    if pending.count() >= MAX_PENDING_APPLICATIONS:
        raise OrganizationError(
            f"You already have {MAX_PENDING_APPLICATIONS} applications waiting for the index staff: wait for their answer."
        )
    return OrganizationApplication.objects.create(
        name=name,
        normalized_name=normalized,
        display_name=display_name.strip() or name,
        url=url,
        description=description,
        kind=kind,
        submitted_by=user,
    )


@transaction.atomic
def create_organization(
    name,
    owner,
    actor,
    *,
    display_name="",
    url="",
    description="",
    kind=OrganizationKind.COMMUNITY,
    private_capable=False,
    application=None,
):
    """A new organization with `owner` as its one Owner (staff's direct creation, or an approval)."""
    if owner is None or not owner.is_active or owner.is_frozen:
        raise OrganizationError("The Owner must be an active account.")
    name, normalized = check_name(name, application=application)
    organization = Organization.objects.create(
        name=name,
        normalized_name=normalized,
        display_name=display_name.strip() or name,
        url=url,
        description=description,
        kind=kind,
        private_capable=private_capable,
    )
    OrganizationRole.objects.create(organization=organization, user=owner, role_name=OrganizationRole.OWNER)
    record_event(organization, f"create organization, Owner {owner.username}", actor)
    if private_capable:
        record_event(organization, "made private-capable by the index staff", actor)
    return organization


def _decide(application, actor, status):
    application = (
        OrganizationApplication.objects.select_for_update().select_related("submitted_by").get(pk=application.pk)
    )
    if application.status != OrganizationApplication.Status.PENDING:
        raise ModerationError(f"This application was already {application.get_status_display().lower()}.")
    application.status = status
    application.decided_by = person(actor)
    application.decided_at = timezone.now()
    return application


@transaction.atomic
def approve(application, actor):
    """Create the organization the application asks for, its applicant as Owner; mail them."""
    application = _decide(application, actor, OrganizationApplication.Status.APPROVED)
    try:
        organization = create_organization(
            application.name,
            application.submitted_by,
            actor,
            display_name=application.display_name,
            url=application.url,
            description=application.description,
            kind=application.kind,
            application=application,
        )
    except OrganizationError as exc:
        raise ModerationError(str(exc)) from None
    application.organization = organization
    application.save(update_fields=["status", "decided_by", "decided_at", "organization"])
    record_event(organization, f"application by {application.submitted_by.username} approved", actor)
    log_staff_action(actor, application, "Approved: organization created")
    outbox.enqueue(tasks.send_organization_application_mail, application.pk)
    return organization


@transaction.atomic
def decline(application, actor, reason):
    """Decline the application with a reason (mailed to the applicant)."""
    reason = require_reason(reason)
    application = _decide(application, actor, OrganizationApplication.Status.DECLINED)
    application.decision_reason = reason
    application.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    log_staff_action(actor, application, f"Declined: {reason}")
    outbox.enqueue(tasks.send_organization_application_mail, application.pk)
    return application
