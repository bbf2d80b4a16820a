"""Teams: members of the organization, and a role (Owner or Maintainer) on some of its
projects. A team's project roles are journaled on the project ("add team x as Maintainer")."""

from django.db import IntegrityError, transaction

from packages.models import Role
from packages.names import is_valid_name, normalize_name

from ..models import OrganizationRole, Team, TeamMember, TeamProjectRole
from .errors import OrganizationError
from .events import record_event, record_project

PROJECT_ROLES = dict(Role.ROLE_CHOICES)


def team_label(team):
    return f"{team.organization.name}/{team.name}"


@transaction.atomic
def create_team(organization, name, actor):
    name = (name or "").strip()
    if not (0 < len(name) <= 50) or not is_valid_name(name):
        raise OrganizationError(
            "A team name has 1 to 50 characters: ASCII letters and digits, with '.', '_' and '-' between them."
        )
    try:
        with transaction.atomic():
            team = Team.objects.create(organization=organization, name=name, normalized_name=normalize_name(name))
    except IntegrityError:
        raise OrganizationError(f"The organization already has a team called '{name}'.") from None
    record_event(organization, f"create team {name}", actor)
    return team


@transaction.atomic
def delete_team(team, actor):
    """Delete the team; the projects it had a role on journal the loss."""
    for role in team.project_roles.select_related("project"):
        record_project(role.project, f"remove team {team_label(team)} ({role.role_name})", actor)
    name = team.name
    team.delete()
    record_event(team.organization, f"delete team {name}", actor)


@transaction.atomic
def add_member(team, user, actor):
    """Put a member of the team's organization in the team."""
    if not OrganizationRole.objects.filter(organization=team.organization, user=user).exists():
        raise OrganizationError(f"{user.username} is not a member of {team.organization.name}: invite them first.")
    membership, created = TeamMember.objects.get_or_create(team=team, user=user)
    if not created:
        raise OrganizationError(f"{user.username} is already in the team {team.name}.")
    record_event(team.organization, f"add {user.username} to team {team.name}", actor)
    return membership


@transaction.atomic
def remove_member(membership, actor):
    membership.delete()
    record_event(
        membership.team.organization, f"remove {membership.user.username} from team {membership.team.name}", actor
    )


@transaction.atomic
def set_project_role(team, project, role_name, actor):
    """Give the team `role_name` on one of its organization's projects (or change it)."""
    if role_name not in PROJECT_ROLES:
        raise OrganizationError("Choose the role Owner or Maintainer.")
    if project.organization_id != team.organization_id:
        raise OrganizationError(f"{project.name} is not a project of {team.organization.name}.")
    role, created = TeamProjectRole.objects.select_for_update().get_or_create(
        team=team, project=project, defaults={"role_name": role_name}
    )
    if created:
        record_project(project, f"add team {team_label(team)} as {role_name}", actor)
        record_event(team.organization, f"give team {team.name} the role {role_name} on {project.name}", actor)
    elif role.role_name != role_name:
        old, role.role_name = role.role_name, role_name
        role.save(update_fields=["role_name"])
        record_project(project, f"change team {team_label(team)} from {old} to {role_name}", actor)
        record_event(team.organization, f"change team {team.name} on {project.name} from {old} to {role_name}", actor)
    return role


@transaction.atomic
def remove_project_role(role, actor):
    team, project = role.team, role.project
    role.delete()
    record_project(project, f"remove team {team_label(team)} ({role.role_name})", actor)
    record_event(team.organization, f"remove team {team.name} ({role.role_name}) from {project.name}", actor)
