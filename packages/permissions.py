"""Who may do what on a project, and who may see it: the one owner of both rules.

Roles (as on pypi.org): a user's role on a project is the strongest of their own Role and the
roles of the organization teams they are in (organizations.TeamProjectRole). Owners may do
everything; Maintainers may upload and manage releases (yank, un-yank, delete files and
releases) but not collaborators or project settings; anybody else gets a 404, so the portal does
not confirm what they cannot manage.

Visibility (beyond pypi.org): a private project (Project.is_private, only in an organization)
exists only for users with a role on it (own or team) and for members of its organization, and
for read tokens whose user may see it and whose scope (one project, or one organization) covers
it. For everyone else every page, API and file answers as if there were no such project (404).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import ApiToken

from .models import Project, Role
from .names import normalize_name

_STRENGTH = {Role.OWNER: 2, Role.MAINTAINER: 1}


def role_of(user, project):
    """The user's effective role on the project (Role.OWNER, Role.MAINTAINER) or None."""
    if user is None or not user.is_authenticated:
        return None
    from organizations.models import TeamProjectRole

    own = Role.objects.filter(user=user, project=project).values_list("role_name", flat=True)
    teams = TeamProjectRole.objects.filter(
        project=project, team__members=user, team__organization_id=project.organization_id
    ).values_list("role_name", flat=True)
    roles = [*own, *teams]
    return max(roles, key=_STRENGTH.__getitem__) if roles else None


def managed_project(request, name, *, owner=False):
    """The project with this name if request.user has a role on it; (project, role_name).

    Strangers get 404; a Maintainer asking for an Owner-only action gets 403."""
    project = get_object_or_404(Project, normalized_name=normalize_name(name))
    role = role_of(request.user, project)
    if role is None:
        raise Http404("No such project among yours.")
    if owner and role != Role.OWNER:
        raise PermissionDenied("Only an Owner of this project can do that.")
    return project, role


def can_manage_collaborators(role):
    return role == Role.OWNER


def user_can_see(user, project):
    """Whether `user` (anonymous included) may know that `project` exists."""
    if not project.is_private:
        return True
    if user is None or not user.is_authenticated:
        return False
    return Project.objects.filter(readable_by_user(user), pk=project.pk).exists()


def token_can_see(token, project):
    """Whether a read token (accounts.ApiToken, kind read, already verified) reaches `project`."""
    if token.kind != ApiToken.Kind.READ:
        return not project.is_private
    in_scope = token.project_id == project.pk or (
        token.organization_id is not None and token.organization_id == project.organization_id
    )
    return in_scope and user_can_see(token.user, project)


def reader_can_see(reader, project):
    """Whether `reader` may know that `project` exists. A reader is whoever asks: None (anonymous),
    a user (a session, or a password sent by pip), or a verified ApiToken (a read token reads what
    its user may see within its scope; any other kind reads only public projects). Public
    projects cost nothing here: only a private one runs a query."""
    if not project.is_private:
        return True
    if isinstance(reader, ApiToken):
        return token_can_see(reader, project)
    return user_can_see(reader, project)


def readable_by_user(user, *, prefix=""):
    """A Project filter: the projects `user` may see (for listings, search, feeds, counts).
    `prefix` is the lookup path from another model to the project (e.g. "release__project__").
    Subqueries, not joins, so a listing needs no .distinct(). Team members are organization
    members, so the organization clause covers team roles too."""
    public = Q(**{f"{prefix}is_private": False})
    if user is None or not user.is_authenticated:
        return public
    from organizations.models import OrganizationRole

    own = Role.objects.filter(user=user).values("project_id")
    member_of = OrganizationRole.objects.filter(user=user).values("organization_id")
    return public | Q(**{f"{prefix}pk__in": own}) | Q(**{f"{prefix}organization__in": member_of})


def can_set_private(user, project):
    """Who may make a project private or public again: an Owner of its organization. (Whether the
    organization may have private projects at all is the service's check: set_private.)"""
    if user is None or not user.is_authenticated or project.organization_id is None:
        return False
    from organizations.models import OrganizationRole

    return OrganizationRole.objects.filter(
        organization_id=project.organization_id, user=user, role_name=OrganizationRole.OWNER
    ).exists()
