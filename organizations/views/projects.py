"""The organization's projects (any member sees them); Owners and Managers create new ones in
it; Owners move their projects into it and out of it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from packages.models import Project, Role
from packages.names import normalize_name
from packages.permissions import projects_of

from .. import services
from ..forms import MoveProjectForm, NewProjectForm
from ..permissions import managed_organization, may_move
from .pages import render_manage


def _movable(user):
    """The user's own projects (Owner) that belong to no organization: what they may move in."""
    owned = [pk for pk, role in projects_of(user).items() if role == Role.OWNER]
    return Project.objects.filter(pk__in=owned, organization__isnull=True).order_by("normalized_name")


def _page(request, organization, role, *, new_form=None, move_form=None, status=200):
    projects = organization.projects.prefetch_related("team_roles__team", "roles__user").order_by("normalized_name")
    context = {
        "projects": projects,
        "new_form": new_form or NewProjectForm(),
        "move_form": move_form or MoveProjectForm(projects=_movable(request.user)),
    }
    return render_manage(request, organization, role, "projects", context, status=status)


def _back(organization):
    return redirect("organization_projects", name=organization.normalized_name)


@login_required
def projects(request, name):
    organization, role = managed_organization(request, name)
    return _page(request, organization, role)


@login_required
@require_POST
def create_project(request, name):
    organization, role = managed_organization(request, name, "create_projects")
    form = NewProjectForm(request.POST)
    if form.is_valid():
        try:
            project = services.projects.create_project(organization, form.cleaned_data["name"], request.user)
        except services.OrganizationError as exc:
            form.add_error("name", str(exc))
    if not form.is_valid():
        return _page(request, organization, role, new_form=form, status=400)
    messages.success(request, f"Created {project.name} in {organization.name}; you are its Owner. Upload to it now.")
    return _back(organization)


@login_required
@require_POST
def move_in(request, name):
    organization, role = managed_organization(request, name, "move_projects")
    form = MoveProjectForm(request.POST, projects=_movable(request.user))
    if form.is_valid() and not may_move(request.user, role, form.cleaned_data["project"]):
        raise PermissionDenied("Only an Owner of both the project and the organization can move it.")
    if form.is_valid():
        try:
            project = services.projects.move_in(form.cleaned_data["project"], organization, request.user)
        except services.OrganizationError as exc:
            form.add_error("project", str(exc))
    if not form.is_valid():
        return _page(request, organization, role, move_form=form, status=400)
    messages.success(request, f"Moved {project.name} into {organization.name}.")
    return _back(organization)


@login_required
@require_POST
def move_out(request, name, project):
    organization, role = managed_organization(request, name, "move_projects")
    found = get_object_or_404(Project, organization=organization, normalized_name=normalize_name(project))
    if not may_move(request.user, role, found):
        raise PermissionDenied("Only an Owner of both the project and the organization can move it.")
    try:
        services.projects.move_out(found, request.user)
    except services.OrganizationError as exc:
        messages.error(request, str(exc))
        return _back(organization)
    messages.success(request, f"Moved {found.name} out of {organization.name}: its team roles are gone.")
    return _back(organization)
