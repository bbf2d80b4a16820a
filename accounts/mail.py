"""Rendering account mail in the web process and handing it to the mail actor."""
from core.tasks import send_on_commit

from . import tasks


def queue_message(message):
    """Send a rendered EmailMessage through dramatiq once the current transaction commits."""
    send_on_commit(tasks.send_email, tasks.message_to_dict(message))
