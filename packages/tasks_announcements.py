"""Announcement mail to many maintainers, one message per recipient (see `send_announcement`).

The command renders nothing itself: it queues one outbox message per recipient, each due a
little after the one before, so that a large list trickles out at the chosen rate instead of
flooding the mail server. Import this module from packages/tasks.py so workers know the actor.
"""

import dramatiq
from django.conf import settings
from django.core.mail import send_mail
from django.template import Context, Engine

from core import broker  # noqa: F401  (the broker must be set before actors are declared)

QUEUE = "announcements"
# Plain-text mail: no HTML escaping of names or projects.
_ENGINE = Engine(autoescape=False)


def render_announcement(subject_template, body_template, recipient):
    context = Context({"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL.rstrip("/"), **recipient})
    subject = " ".join(_ENGINE.from_string(subject_template).render(context).split())
    body = _ENGINE.from_string(body_template).render(context)
    return subject, body


@dramatiq.actor(queue_name=QUEUE, max_retries=5, time_limit=60_000)
def send_announcement_email(subject_template, body_template, recipient):
    """recipient: {"email", "username", "name", "projects"} (plain strings: JSON in the outbox)."""
    subject, body = render_announcement(subject_template, body_template, recipient)
    send_mail(f"[{settings.SITE_NAME}] {subject}", body, settings.DEFAULT_FROM_EMAIL, [recipient["email"]])
