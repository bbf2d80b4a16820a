"""Collaborator invitations: an Owner invites, the invitee accepts or declines before expiry.

Only a SHA-256 hash of the invitation token is stored; the token itself travels in the mail.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import Role, RoleInvitation
from .journal import record
from .projects import add_role, remove_role

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from accounts.models import User

    from ..models import Project


class CollaborationError(Exception):
    """The change is not allowed; the message is safe to show."""


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _expire_stale(project, invitee) -> None:
    RoleInvitation.objects.filter(
        project=project, invitee=invitee, status=RoleInvitation.Status.PENDING, expires__lte=timezone.now()
    ).update(status=RoleInvitation.Status.EXPIRED)


@transaction.atomic
def invite(project: Project, invitee: User, role_name: str, actor: User) -> tuple[RoleInvitation, str]:
    """Create a pending invitation; returns (invitation, raw token)."""
    if role_name not in dict(Role.ROLE_CHOICES):
        raise CollaborationError("Choose the role Owner or Maintainer.")
    if Role.objects.filter(project=project, user=invitee).exists():
        raise CollaborationError(f"{invitee.username} is already a collaborator on {project.name}.")
    if not invitee.is_active or getattr(invitee, "is_frozen", False):
        raise CollaborationError(f"{invitee.username} cannot be invited.")
    _expire_stale(project, invitee)
    if RoleInvitation.objects.filter(project=project, invitee=invitee, status=RoleInvitation.Status.PENDING).exists():
        raise CollaborationError(f"{invitee.username} already has a pending invitation to {project.name}.")
    raw = secrets.token_urlsafe(32)
    invitation = RoleInvitation.objects.create(
        project=project,
        invitee=invitee,
        role_name=role_name,
        invited_by=actor,
        token=hash_token(raw),
        expires=timezone.now() + timedelta(hours=settings.ROLE_INVITATION_HOURS),
    )
    record(project, f"invite {role_name} {invitee.username}", user=actor)
    return invitation, raw


def pending_for(user: User) -> QuerySet[RoleInvitation]:
    return RoleInvitation.objects.filter(
        invitee=user, status=RoleInvitation.Status.PENDING, expires__gt=timezone.now()
    ).select_related("project", "invited_by")


def accept_invitation(invitation: RoleInvitation, user: User) -> Role:
    with transaction.atomic():
        invitation = RoleInvitation.objects.select_for_update().get(pk=invitation.pk)
        problem = _problem(invitation, user)
        if problem is None:
            invitation.status = RoleInvitation.Status.ACCEPTED
            invitation.save(update_fields=["status"])
            return add_role(invitation.project, user, invitation.role_name, user)
    raise CollaborationError(problem)  # outside the block, so an "expired" mark is kept


def decline_invitation(invitation: RoleInvitation, user: User) -> None:
    with transaction.atomic():
        invitation = RoleInvitation.objects.select_for_update().get(pk=invitation.pk)
        problem = _problem(invitation, user)
        if problem is None:
            invitation.status = RoleInvitation.Status.DECLINED
            invitation.save(update_fields=["status"])
            record(invitation.project, f"decline invitation {invitation.role_name} {user.username}", user=user)
            return
    raise CollaborationError(problem)


@transaction.atomic
def revoke_invitation(invitation: RoleInvitation, actor: User) -> None:
    if invitation.status != RoleInvitation.Status.PENDING:
        raise CollaborationError("This invitation is no longer pending.")
    invitation.status = RoleInvitation.Status.REVOKED
    invitation.save(update_fields=["status"])
    record(invitation.project, f"revoke invitation {invitation.role_name} {invitation.invitee.username}", user=actor)


def _problem(invitation, user):
    """Why this user cannot answer this invitation now (None if they can); marks expired ones."""
    if invitation.invitee_id != user.pk:
        return "This invitation is for another account."
    if invitation.status != RoleInvitation.Status.PENDING:
        return "This invitation is no longer pending."
    if invitation.is_expired:
        invitation.status = RoleInvitation.Status.EXPIRED
        invitation.save(update_fields=["status"])
        return "This invitation has expired. Ask an Owner of the project to invite you again."
    return None


def _owner_count(project):
    # Lock the project's Owner rows so two concurrent removals cannot both see "another Owner left".
    return len(list(Role.objects.select_for_update().filter(project=project, role_name=Role.OWNER)))


@transaction.atomic
def change_collaborator_role(role: Role, new_role_name: str, actor: User) -> Role:
    """change_role, refusing to demote the last Owner."""
    from .projects import change_role

    if new_role_name not in dict(Role.ROLE_CHOICES):
        raise CollaborationError("Choose the role Owner or Maintainer.")
    role = Role.objects.select_for_update().select_related("user", "project").get(pk=role.pk)
    if role.role_name == new_role_name:
        return role
    if role.role_name == Role.OWNER and _owner_count(role.project) <= 1:
        raise CollaborationError("A project needs at least one Owner: make someone else an Owner first.")
    return change_role(role, new_role_name, actor)


@transaction.atomic
def remove_collaborator(role: Role, actor: User) -> None:
    """remove_role, refusing to remove (or let leave) the last Owner."""
    role = Role.objects.select_for_update().select_related("user", "project").get(pk=role.pk)
    if role.role_name == Role.OWNER and _owner_count(role.project) <= 1:
        raise CollaborationError("The last Owner cannot leave or be removed: add another Owner first.")
    remove_role(role, actor)
