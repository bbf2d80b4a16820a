"""Who may do what in an organization: the one owner of the organization-level rules.

Roles (as on pypi.org): Owners may do everything (members, invitations, settings, moving
projects in and out, and, through packages/permissions.py, act as Owner of every project of
the organization); Managers manage teams and create the organization's projects; Members see
the organization's management pages (and its private projects) and can be put in teams.
Anybody else gets a 404 on every management page, so they learn nothing; a member asking for
what their role may not do gets a 403.

What a user may do on one project (own, team and organization roles together) is
packages/permissions.py's rule, not this module's.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from packages.names import normalize_name

from .models import Organization, OrganizationRole

OWNER, MANAGER, MEMBER = OrganizationRole.OWNER, OrganizationRole.MANAGER, OrganizationRole.MEMBER

# What each action needs; every other page of the management area is open to any member.
MAY = {
    "members": {OWNER},  # invite, change roles, remove members, revoke invitations
    "settings": {OWNER},
    "move_projects": {OWNER},  # into and out of the organization (also an Owner of the project)
    "teams": {OWNER, MANAGER},  # create and delete teams, their members and their project roles
    "create_projects": {OWNER, MANAGER},
    "history": {OWNER, MANAGER},
}


def role_in(user, organization):
    """The user's role in the organization (OWNER, MANAGER, MEMBER) or None."""
    if user is None or not user.is_authenticated:
        return None
    return (
        OrganizationRole.objects.filter(organization=organization, user=user)
        .values_list("role_name", flat=True)
        .first()
    )


def may(role, action):
    return role in MAY[action]


def can_create_projects(role):
    return may(role, "create_projects")


def may_move(user, role, project):
    """Moving a project into or out of an organization takes an Owner of both (as on pypi.org)."""
    from packages.models import Role
    from packages.permissions import role_of

    return may(role, "move_projects") and role_of(user, project) == Role.OWNER


def managed_organization(request, name, action=None):
    """The organization called `name` if request.user is a member of it; (organization, role).

    Non-members get 404; a member whose role may not do `action` (a MAY key) gets 403."""
    organization = get_object_or_404(Organization, normalized_name=normalize_name(name))
    role = role_in(request.user, organization)
    if role is None:
        raise Http404("No such organization among yours.")
    if action is not None and not may(role, action):
        needed = " or ".join(sorted(MAY[action]))
        raise PermissionDenied(f"Only an organization {needed} can do that.")
    return organization, role
