"""Queue collaboration and release mails after the change commits."""
from core.tasks import send_on_commit

from ... import tasks
from ...models import Role


def collaborators_except(project, actor):
    return list(Role.objects.filter(project=project).exclude(user=actor).values_list("user_id", flat=True))


def release_changed(project, version, action, actor, reason=""):
    recipients = collaborators_except(project, actor)
    if recipients:
        send_on_commit(tasks.send_release_mail, recipients, project.name, version, action, actor.username, reason)


def role_changed(user, project, change, actor):
    if user.pk != actor.pk:
        send_on_commit(tasks.send_role_change_mail, user.pk, project.name, change, actor.username)


def invited(invitation, raw_token):
    send_on_commit(tasks.send_invitation_mail, invitation.pk, raw_token)
