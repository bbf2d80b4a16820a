"""Background jobs for accounts: every mail the site sends goes out through `send_email`.

The web process renders the message (it knows the request, the site URL and the
templates); the actor only delivers it, so a worker needs no database access and a
failing SMTP server is retried by dramatiq instead of failing the request.
"""

import dramatiq
from django.core.mail import EmailMultiAlternatives, get_connection

from core import broker  # noqa: F401  (the broker must be set before actors are declared)

MAIL_QUEUE = "mail"


def message_to_dict(message):
    """The parts of an EmailMessage that survive a trip through the broker (JSON)."""
    alternatives = [[content, mimetype] for content, mimetype in getattr(message, "alternatives", [])]
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "headers": dict(message.extra_headers),
        "alternatives": alternatives,
        "content_subtype": message.content_subtype,
    }


def message_from_dict(data):
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        headers=data.get("headers") or None,
        connection=get_connection(),
    )
    message.content_subtype = data.get("content_subtype", "plain")
    for content, mimetype in data.get("alternatives", []):
        message.attach_alternative(content, mimetype)
    return message


@dramatiq.actor(queue_name=MAIL_QUEUE, max_retries=5, min_backoff=10_000)
def send_email(data):
    """Deliver one rendered message (see accounts.mail.queue_message)."""
    message_from_dict(data).send()
