"""Who may do what on a project, and who may see it: the one owner of both rules.

Roles (as on pypi.org, warehouse's Project.__acl__): a user's role on a project is the strongest
of their own Role, the roles of the organization teams they are in (organizations.TeamProjectRole,
teams of the project's own organization only), and Owner for the Owners of the project's
organization. Owners may do everything; Maintainers may upload and manage releases (yank,
un-yank, delete files and releases) but not collaborators or project settings; anybody else gets
a 404, so the portal does not confirm what they cannot manage. `role_of` is the rule for one
project, `projects_of` for a user's list, and `has_role_sql` the same rule as plain SQL for the
upload path's one locking query (tests hold the three to the same answers).

Visibility (beyond pypi.org): a private project (Project.is_private, only in an organization)
exists only for users with a role on it (own or team) and for members of its organization, and
for read tokens whose user may see it and whose scope (one project, or one organization) covers
it. For everyone else every page, API and file answers as if there were no such project (404).
"""

from functools import cache

from django.core.exceptions import PermissionDenied
from django.db.models import F, Q, Value
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import ApiToken
from core import rawsql

from .models import Project, Role
from .names import normalize_name

_STRENGTH = {Role.OWNER: 2, Role.MAINTAINER: 1}


def _strongest(roles):
    return max(roles, key=_STRENGTH.__getitem__) if roles else None


def _effective_roles(user):
    """(project id, role name) rows of every role `user` holds, own, team and organization
    Owner, as one UNION query (unevaluated)."""
    from organizations.models import OrganizationRole, TeamProjectRole

    own = Role.objects.filter(user=user).values_list("project_id", "role_name")
    teams = TeamProjectRole.objects.filter(
        team__members=user, team__organization_id=F("project__organization_id")
    ).values_list("project_id", "role_name")
    org_owner = Project.objects.filter(
        organization__roles__user=user, organization__roles__role_name=OrganizationRole.OWNER
    ).values_list("id", Value(Role.OWNER))
    return own, teams, org_owner


def role_of(user, project):
    """The user's effective role on the project (Role.OWNER, Role.MAINTAINER) or None, in one query."""
    if user is None or not user.is_authenticated:
        return None
    own, teams, org_owner = _effective_roles(user)
    own, teams, org_owner = own.filter(project=project), teams.filter(project=project), org_owner.filter(pk=project.pk)
    rows = own.order_by().union(teams.order_by(), org_owner.order_by(), all=True)
    return _strongest([role for _, role in rows])


def projects_of(user):
    """{project id: effective role} of every project `user` holds a role on, in one query."""
    own, teams, org_owner = _effective_roles(user)
    roles: dict[int, list[str]] = {}
    for project_id, role in own.order_by().union(teams.order_by(), org_owner.order_by(), all=True):
        roles.setdefault(project_id, []).append(role)
    return {project_id: _strongest(names) for project_id, names in roles.items()}


@cache
def has_role_sql(project_alias):
    """role_of(user, project) is not None, as a plain SQL condition on the project row
    `project_alias`, taking the user's id three times (the upload path's lock query, which
    may not spend a query of its own on it: bench/upload_loop.py)."""
    from organizations.models import OrganizationRole, Team, TeamMember, TeamProjectRole

    project_id = rawsql.column(Project, "id", project_alias)
    project_org = rawsql.column(Project, "organization", project_alias)
    own = (
        f"SELECT 1 FROM {rawsql.table(Role, 'hr')} WHERE {rawsql.column(Role, 'project', 'hr')} = {project_id} "
        f"AND {rawsql.column(Role, 'user', 'hr')} = %s"
    )
    team = (
        f"SELECT 1 FROM {rawsql.table(TeamProjectRole, 'htr')} "
        f"JOIN {rawsql.table(Team, 'ht')} ON {rawsql.column(Team, 'id', 'ht')} = {rawsql.column(TeamProjectRole, 'team', 'htr')} "
        f"JOIN {rawsql.table(TeamMember, 'htm')} ON {rawsql.column(TeamMember, 'team', 'htm')} = {rawsql.column(Team, 'id', 'ht')} "
        f"WHERE {rawsql.column(TeamProjectRole, 'project', 'htr')} = {project_id} "
        f"AND {rawsql.column(Team, 'organization', 'ht')} = {project_org} AND {rawsql.column(TeamMember, 'user', 'htm')} = %s"
    )
    org_owner = (
        f"SELECT 1 FROM {rawsql.table(OrganizationRole, 'hor')} "
        f"WHERE {rawsql.column(OrganizationRole, 'organization', 'hor')} = {project_org} "
        f"AND {rawsql.column(OrganizationRole, 'user', 'hor')} = %s "
        f"AND {rawsql.column(OrganizationRole, 'role_name', 'hor')} = '{OrganizationRole.OWNER}'"
    )
    return f"(EXISTS ({own}) OR EXISTS ({team}) OR EXISTS ({org_owner}))"


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
    """Whether `user` (anonymous included) may know that `project` exists: the rule of
    readable_by_user() for one project (a role on it, or membership of its organization), as
    plain SQL, since pip's every request for a private project asks it (core/rawsql.py: the
    ORM took longer to compile it than the database to answer)."""
    if not project.is_private:
        return True
    if user is None or not user.is_authenticated:
        return False
    return bool(rawsql.fetch_one(_sees_private_sql(), [user.pk, project.pk, user.pk, project.organization_id])[0])


@cache
def _sees_private_sql():
    from organizations.models import OrganizationRole

    role = (
        f"SELECT 1 FROM {rawsql.table(Role, 'r')} WHERE {rawsql.column(Role, 'user', 'r')} = %s "
        f"AND {rawsql.column(Role, 'project', 'r')} = %s"
    )
    member = (
        f"SELECT 1 FROM {rawsql.table(OrganizationRole, 'o')} WHERE {rawsql.column(OrganizationRole, 'user', 'o')} = %s "
        f"AND {rawsql.column(OrganizationRole, 'organization', 'o')} = %s"
    )
    return f"SELECT CASE WHEN EXISTS ({role}) OR EXISTS ({member}) THEN 1 ELSE 0 END"


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
