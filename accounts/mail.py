"""Rendering account mail in the web process and handing it to the mail actor through the outbox."""

import outbox

from . import tasks


def queue_message(message):
    """Store a rendered EmailMessage in the outbox (current transaction); it is sent once that
    commits, and retried until it is. Account mail carries confirmation and reset links: secret."""
    outbox.enqueue(tasks.send_email, tasks.message_to_dict(message), secret=True)
