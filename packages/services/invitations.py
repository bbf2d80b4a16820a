"""Collaborator invitations: an Owner invites, the invitee accepts or declines before expiry.

Only a SHA-256 hash of the invitation token is stored; the token itself travels in the mail.
The mechanics (issue, answer, revoke, expiry) are shared with organization invitations
(organizations/services/members.py): `issue`, `answer` and `revoke` take any invitation model
with the fields of RoleInvitation (invitee, role_name, invited_by, token, expires, status) and
a scope (project=..., organization=...).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import Role, RoleInvitation
from .journal import record
from .projects import add_role, remove_role

if TYPE_CHECKING:
    from django.db.models import Model, QuerySet

    from accounts.models import User

    from ..models import Project

PENDING, ACCEPTED, DECLINED, REVOKED, EXPIRED = ("pending", "accepted", "declined", "revoked", "expired")
Invitation = TypeVar("Invitation", bound="Model")
T = TypeVar("T")


class CollaborationError(Exception):
    """The change is not allowed; the message is safe to show."""


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue(model: type[Invitation], invitee: User, role_name: str, actor: User, **scope: Any) -> tuple[Invitation, str]:
    """A new pending invitation of `model` in `scope` (its one object, e.g. project=...) for
    `invitee`, expiring after ROLE_INVITATION_HOURS; returns (invitation, raw token). Refuses a
    second pending one; stale ones are marked expired first."""
    if not invitee.is_active or getattr(invitee, "is_frozen", False):
        raise CollaborationError(f"{invitee.username} cannot be invited.")
    where = model._default_manager.filter(invitee=invitee, status=PENDING, **scope)
    where.filter(expires__lte=timezone.now()).update(status=EXPIRED)
    if where.exists():
        (target,) = scope.values()
        raise CollaborationError(f"{invitee.username} already has a pending invitation to {target}.")
    raw = secrets.token_urlsafe(32)
    invitation = model._default_manager.create(
        invitee=invitee,
        role_name=role_name,
        invited_by=actor,
        token=hash_token(raw),
        expires=timezone.now() + timedelta(hours=settings.ROLE_INVITATION_HOURS),
        **scope,
    )
    return invitation, raw


def answer(invitation: Any, user: User, status: str, then: Callable[[Any], T], *, scope: str) -> T:
    """Mark `invitation` accepted or declined (`status`) by `user`, under its row lock, and run
    `then(invitation)` in the same transaction; returns what it returns. Raises
    CollaborationError when `user` can't answer it now (an expired one stays marked so).
    `scope`: what it invites to, as the messages name it ("the project")."""
    with transaction.atomic():
        invitation = type(invitation)._default_manager.select_for_update().get(pk=invitation.pk)
        problem = _problem(invitation, user, scope)
        if problem is None:
            invitation.status = status
            invitation.save(update_fields=["status"])
            return then(invitation)
    raise CollaborationError(problem)  # outside the block, so an "expired" mark is kept


def revoke(invitation: Any) -> None:
    if invitation.status != PENDING:
        raise CollaborationError("This invitation is no longer pending.")
    invitation.status = REVOKED
    invitation.save(update_fields=["status"])


def pending_of(model: type[Invitation], user: User) -> QuerySet[Invitation]:
    return model._default_manager.filter(invitee=user, status=PENDING, expires__gt=timezone.now())


def _problem(invitation: Any, user: User, scope: str) -> str | None:
    """Why this user cannot answer this invitation now (None if they can); marks expired ones."""
    if invitation.invitee_id != user.pk:
        return "This invitation is for another account."
    if invitation.status != PENDING:
        return "This invitation is no longer pending."
    if invitation.is_expired:
        invitation.status = EXPIRED
        invitation.save(update_fields=["status"])
        return f"This invitation has expired. Ask an Owner of {scope} to invite you again."
    return None


@transaction.atomic
def invite(project: Project, invitee: User, role_name: str, actor: User) -> tuple[RoleInvitation, str]:
    """Create a pending invitation; returns (invitation, raw token)."""
    if role_name not in dict(Role.ROLE_CHOICES):
        raise CollaborationError("Choose the role Owner or Maintainer.")
    if Role.objects.filter(project=project, user=invitee).exists():
        raise CollaborationError(f"{invitee.username} is already a collaborator on {project.name}.")
    invitation, raw = issue(RoleInvitation, invitee, role_name, actor, project=project)
    record(project, f"invite {role_name} {invitee.username}", user=actor)
    return invitation, raw


def pending_for(user: User) -> QuerySet[RoleInvitation]:
    return pending_of(RoleInvitation, user).select_related("project", "invited_by")


def accept_invitation(invitation: RoleInvitation, user: User) -> Role:
    def join(inv: RoleInvitation) -> Role:
        return add_role(inv.project, user, inv.role_name, user)

    return answer(invitation, user, ACCEPTED, join, scope="the project")


def decline_invitation(invitation: RoleInvitation, user: User) -> None:
    def journal(inv: RoleInvitation) -> None:
        record(inv.project, f"decline invitation {inv.role_name} {user.username}", user=user)

    answer(invitation, user, DECLINED, journal, scope="the project")


@transaction.atomic
def revoke_invitation(invitation: RoleInvitation, actor: User) -> None:
    revoke(invitation)
    record(invitation.project, f"revoke invitation {invitation.role_name} {invitation.invitee.username}", user=actor)


def _owner_count(project: Project) -> int:
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
