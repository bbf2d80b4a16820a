"""Organization mail, sent by dramatiq actors (queued with outbox.enqueue in the change's
transaction, as packages/tasks.py's are; the rendering and sending are its send_templated)."""

import dramatiq

from core import broker  # noqa: F401  (the broker must be set before actors are declared)
from packages.tasks import MAIL_QUEUE, emails_of, send_templated


@dramatiq.actor(queue_name=MAIL_QUEUE, max_retries=5, min_backoff=10_000)
def send_organization_application_mail(application_id):
    """The staff's decision on an application, to the applicant."""
    from .models import OrganizationApplication

    application = (
        OrganizationApplication.objects.select_related("submitted_by", "organization").filter(pk=application_id).first()
    )
    if application is None:
        return
    send_templated("organizations/email/application", {"application": application}, [application.submitted_by.email])


@dramatiq.actor(queue_name=MAIL_QUEUE, max_retries=5, min_backoff=10_000)
def send_organization_invitation_mail(invitation_id, raw_token):
    from .models import OrganizationInvitation

    invitation = (
        OrganizationInvitation.objects.select_related("organization", "invitee", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        return
    context = {"invitation": invitation, "token": raw_token}
    send_templated("organizations/email/invitation", context, [invitation.invitee.email])


@dramatiq.actor(queue_name=MAIL_QUEUE, max_retries=5, min_backoff=10_000)
def send_organization_membership_mail(user_id, organization_name, change, actor_username):
    """change: a sentence part such as "changed your role from Member to Manager"."""
    context = {"organization_name": organization_name, "change": change, "actor_username": actor_username}
    send_templated("organizations/email/membership", context, emails_of([user_id]))
