"""Membership: e-mailed invitations (the mechanics of project invitations,
packages/services/invitations.py), roles, leaving and removal. The last Owner stays.

Removing someone (or their leaving) also removes them from every team of the organization at
once, so the project roles those teams carry stop applying to them in the same transaction
(their tokens act only while they hold a role: packages/permissions.py)."""

from django.db import transaction

import outbox
from packages.services import invitations as shared

from .. import tasks
from ..models import OrganizationInvitation, OrganizationRole, TeamMember
from .errors import OrganizationError
from .events import record_event

ROLES = dict(OrganizationRole.ROLE_CHOICES)


def _scope(organization):
    return f"the organization {organization.name}"


def _checked(call, *args, **kwargs):
    """The shared invitation helpers raise CollaborationError; this package says OrganizationError."""
    try:
        return call(*args, **kwargs)
    except shared.CollaborationError as exc:
        raise OrganizationError(str(exc)) from None


def _mail(user, organization, change, actor):
    if actor is None or user.pk != actor.pk:
        who = actor.username if actor is not None else "The index staff"
        outbox.enqueue(tasks.send_organization_membership_mail, user.pk, organization.name, change, who)


@transaction.atomic
def invite(organization, invitee, role_name, actor):
    """A pending invitation, mailed to the invitee with its link; returns (invitation, raw token)."""
    if role_name not in ROLES:
        raise OrganizationError("Choose the role Owner, Manager or Member.")
    if OrganizationRole.objects.filter(organization=organization, user=invitee).exists():
        raise OrganizationError(f"{invitee.username} is already a member of {organization.name}.")
    invitation, raw = _checked(
        shared.issue, OrganizationInvitation, invitee, role_name, actor, organization=organization
    )
    record_event(organization, f"invite {role_name} {invitee.username}", actor)
    # The mail carries the invitation link: the outbox row is secret (deleted once sent).
    outbox.enqueue(tasks.send_organization_invitation_mail, invitation.pk, raw, secret=True)
    return invitation, raw


def pending_for(user):
    return shared.pending_of(OrganizationInvitation, user).select_related("organization", "invited_by")


def _join(invitation, user):
    role = OrganizationRole.objects.create(
        organization=invitation.organization, user=user, role_name=invitation.role_name
    )
    record_event(invitation.organization, f"{user.username} accepted the invitation, {invitation.role_name}", user)
    if invitation.invited_by_id:
        _mail(invitation.invited_by, invitation.organization, "accepted your invitation", user)
    return role


def accept_invitation(invitation, user):
    return _checked(
        shared.answer,
        invitation,
        user,
        shared.ACCEPTED,
        lambda inv: _join(inv, user),
        scope=_scope(invitation.organization),
    )


def decline_invitation(invitation, user):
    def note(inv):
        record_event(inv.organization, f"{user.username} declined the invitation, {inv.role_name}", user)

    _checked(shared.answer, invitation, user, shared.DECLINED, note, scope=_scope(invitation.organization))


@transaction.atomic
def revoke_invitation(invitation, actor):
    _checked(shared.revoke, invitation)
    record_event(
        invitation.organization, f"revoke invitation {invitation.role_name} {invitation.invitee.username}", actor
    )


def _owner_count(organization):
    # Lock the Owner rows so that two concurrent removals cannot both see "another Owner left".
    return len(
        list(
            OrganizationRole.objects.select_for_update().filter(
                organization=organization, role_name=OrganizationRole.OWNER
            )
        )
    )


def _locked(role):
    return OrganizationRole.objects.select_for_update().select_related("user", "organization").get(pk=role.pk)


@transaction.atomic
def change_role(role, new_role_name, actor):
    """A member's new role; the last Owner cannot be demoted."""
    if new_role_name not in ROLES:
        raise OrganizationError("Choose the role Owner, Manager or Member.")
    role = _locked(role)
    if role.role_name == new_role_name:
        return role
    if role.role_name == OrganizationRole.OWNER and _owner_count(role.organization) <= 1:
        raise OrganizationError("An organization needs at least one Owner: make someone else an Owner first.")
    old, role.role_name = role.role_name, new_role_name
    role.save(update_fields=["role_name"])
    record_event(role.organization, f"change {old} {role.user.username} to {new_role_name}", actor)
    _mail(role.user, role.organization, f"changed your role from {old} to {new_role_name}", actor)
    return role


@transaction.atomic
def remove_member(role, actor):
    """Remove a member (or let them leave) and take them out of every team of the organization;
    the last Owner cannot leave or be removed."""
    role = _locked(role)
    organization, user = role.organization, role.user
    if role.role_name == OrganizationRole.OWNER and _owner_count(organization) <= 1:
        raise OrganizationError("The last Owner cannot leave or be removed: make someone else an Owner first.")
    memberships = TeamMember.objects.filter(team__organization=organization, user=user).select_related("team")
    teams = sorted(m.team.name for m in memberships)
    memberships.delete()
    role.delete()
    leaving = actor is not None and actor.pk == user.pk
    action = f"{user.username} left ({role.role_name})" if leaving else f"remove {role.role_name} {user.username}"
    record_event(organization, action + (f", and from teams {', '.join(teams)}" if teams else ""), actor)
    _mail(user, organization, f"removed you ({role.role_name})", actor)
