"""Mail about project collaboration and releases, sent by dramatiq actors.

Callers queue them with outbox.enqueue() in the change's transaction, so nothing is mailed for
work that is rolled back and nothing is lost when the broker or the mail server is down.
Actors take ids and plain strings (JSON) and read the rest from the database when they run.
"""

import dramatiq
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string

from core import broker  # noqa: F401  (the broker must be set before actors are declared)

from . import tasks_announcements  # noqa: F401  (its actor: workers import only each app's tasks.py)

MAIL_QUEUE = "mail"


def send_templated(template, context, recipients):
    """Render `<template>.subject.txt` and `.body.txt` (e.g. "packages/email/invitation") and
    mail them; other apps' actors (organizations/tasks.py) send through this too."""
    recipients = [address for address in recipients if address]
    if not recipients:
        return 0
    context = {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL.rstrip("/"), **context}
    subject = " ".join(render_to_string(f"{template}.subject.txt", context).split())
    body = render_to_string(f"{template}.body.txt", context)
    return send_mail(f"[{settings.SITE_NAME}] {subject}", body, settings.DEFAULT_FROM_EMAIL, recipients)


def _send(template, context, recipients):
    return send_templated(f"packages/email/{template}", context, recipients)


def emails_of(user_ids):
    return list(get_user_model().objects.filter(pk__in=user_ids, is_active=True).values_list("email", flat=True))


@dramatiq.actor(queue_name=MAIL_QUEUE, max_retries=5, min_backoff=10_000)
def send_invitation_mail(invitation_id, raw_token):
    from .models import RoleInvitation

    invitation = (
        RoleInvitation.objects.select_related("project", "invitee", "invited_by").filter(pk=invitation_id).first()
    )
    if invitation is None:
        return
    _send("invitation", {"invitation": invitation, "token": raw_token}, [invitation.invitee.email])


@dramatiq.actor(queue_name=MAIL_QUEUE, max_retries=5, min_backoff=10_000)
def send_role_change_mail(user_id, project_name, change, actor_username):
    """change: a sentence part such as "added you as Maintainer" or "removed you"."""
    context = {"project_name": project_name, "change": change, "actor_username": actor_username}
    _send("role_change", context, emails_of([user_id]))


@dramatiq.actor(queue_name=MAIL_QUEUE, max_retries=5, min_backoff=10_000)
def send_release_mail(recipient_ids, project_name, version, action, actor_username, reason=""):
    """action: "yanked", "un-yanked", "deleted", or "deleted file <name> from"."""
    context = {
        "project_name": project_name,
        "version": version,
        "action": action,
        "actor_username": actor_username,
        "reason": reason,
    }
    _send("release_change", context, emails_of(recipient_ids))


@dramatiq.actor(queue_name=MAIL_QUEUE, max_retries=5, min_backoff=10_000)
def send_publisher_mail(recipient_ids, project_name, change, publisher_label, actor_username):
    """change: "added" or "removed" (a trusted publisher, oidc/services.py)."""
    context = {
        "project_name": project_name,
        "change": change,
        "publisher_label": publisher_label,
        "actor_username": actor_username,
    }
    _send("publisher_change", context, emails_of(recipient_ids))
