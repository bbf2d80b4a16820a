"""Queue collaboration and release mails in the outbox, with the change that causes them."""

import outbox

from ... import tasks
from ...models import Role


def collaborators_except(project, actor):
    return list(Role.objects.filter(project=project).exclude(user=actor).values_list("user_id", flat=True))


def release_changed(project, version, action, actor, reason=""):
    recipients = collaborators_except(project, actor)
    if recipients:
        outbox.enqueue(tasks.send_release_mail, recipients, project.name, version, action, actor.username, reason)


def role_changed(user, project, change, actor):
    if user.pk != actor.pk:
        outbox.enqueue(tasks.send_role_change_mail, user.pk, project.name, change, actor.username)


def invited(invitation, raw_token):
    # The mail carries the invitation link: the row is secret (deleted once sent, never shown).
    outbox.enqueue(tasks.send_invitation_mail, invitation.pk, raw_token, secret=True)
