"""Teams: any member sees them; Owners and Managers create and delete them, put members in
them and give them roles on the organization's projects."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from packages.names import normalize_name

from .. import services
from ..forms import TeamForm, TeamMemberForm, TeamProjectForm
from ..models import Team, TeamMember, TeamProjectRole
from ..permissions import managed_organization
from .pages import render_manage


def _teams_page(request, organization, role, form=None, status=200):
    teams = organization.teams.prefetch_related("memberships__user", "project_roles__project")
    context = {"teams": teams, "team_form": form or TeamForm()}
    return render_manage(request, organization, role, "teams", context, status=status)


def _team(organization, team_name):
    return get_object_or_404(Team, organization=organization, normalized_name=normalize_name(team_name))


def _team_page(request, organization, role, team, *, member_form=None, project_form=None, status=200):
    context = {
        "team": team,
        "memberships": team.memberships.select_related("user").order_by("user__username"),
        "project_roles": team.project_roles.select_related("project").order_by("project__normalized_name"),
        "member_form": member_form or TeamMemberForm(),
        "project_form": project_form or TeamProjectForm(organization=organization),
    }
    return render_manage(request, organization, role, "team", context, status=status)


def _back(team):
    return redirect("organization_team", name=team.organization.normalized_name, team=team.normalized_name)


@login_required
def teams(request, name):
    organization, role = managed_organization(request, name)
    return _teams_page(request, organization, role)


@login_required
@require_POST
def create_team(request, name):
    organization, role = managed_organization(request, name, "teams")
    form = TeamForm(request.POST)
    if not form.is_valid():
        return _teams_page(request, organization, role, form, status=400)
    try:
        team = services.teams.create_team(organization, form.cleaned_data["name"], request.user)
    except services.OrganizationError as exc:
        form.add_error("name", str(exc))
        return _teams_page(request, organization, role, form, status=400)
    messages.success(request, f"Created the team {team.name}: add its members and give it projects.")
    return _back(team)


@login_required
def team(request, name, team):
    organization, role = managed_organization(request, name)
    return _team_page(request, organization, role, _team(organization, team))


@login_required
@require_POST
def delete_team(request, name, team):
    organization, _ = managed_organization(request, name, "teams")
    found = _team(organization, team)
    services.teams.delete_team(found, request.user)
    messages.success(request, f"Deleted the team {found.name}; its members keep their own roles.")
    return redirect("organization_teams", name=organization.normalized_name)


@login_required
@require_POST
def add_member(request, name, team):
    organization, role = managed_organization(request, name, "teams")
    found = _team(organization, team)
    form = TeamMemberForm(request.POST)
    if form.is_valid():
        try:
            services.teams.add_member(found, form.cleaned_data["username"], request.user)
        except services.OrganizationError as exc:
            form.add_error("username", str(exc))
    if not form.is_valid():
        return _team_page(request, organization, role, found, member_form=form, status=400)
    messages.success(request, f"Added {form.cleaned_data['username'].username} to {found.name}.")
    return _back(found)


@login_required
@require_POST
def remove_member(request, name, team, membership_id):
    organization, _ = managed_organization(request, name, "teams")
    found = _team(organization, team)
    membership = get_object_or_404(TeamMember.objects.select_related("user", "team"), pk=membership_id, team=found)
    services.teams.remove_member(membership, request.user)
    messages.success(request, f"Removed {membership.user.username} from {found.name}.")
    return _back(found)


@login_required
@require_POST
def set_project_role(request, name, team):
    organization, role = managed_organization(request, name, "teams")
    found = _team(organization, team)
    form = TeamProjectForm(request.POST, organization=organization)
    if form.is_valid():
        try:
            services.teams.set_project_role(
                found, form.cleaned_data["project"], form.cleaned_data["role_name"], request.user
            )
        except services.OrganizationError as exc:
            form.add_error("project", str(exc))
    if not form.is_valid():
        return _team_page(request, organization, role, found, project_form=form, status=400)
    messages.success(
        request, f"{found.name} is now {form.cleaned_data['role_name']} of {form.cleaned_data['project'].name}."
    )
    return _back(found)


@login_required
@require_POST
def remove_project_role(request, name, team, role_id):
    organization, _ = managed_organization(request, name, "teams")
    found = _team(organization, team)
    project_role = get_object_or_404(TeamProjectRole.objects.select_related("project", "team"), pk=role_id, team=found)
    services.teams.remove_project_role(project_role, request.user)
    messages.success(request, f"{found.name} no longer has a role on {project_role.project.name}.")
    return _back(found)
