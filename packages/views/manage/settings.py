"""Project settings (Owners only to change): archive / unarchive, private / public (Owners of the
project's organization), limits, delete the project."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ... import limits, services
from ...forms import ConfirmNameForm, PrivacyForm, StatusForm
from ...models import Project, Role
from ...permissions import can_set_private, managed_project
from . import notify

# Owners may move between these; quarantine and its reversal belong to staff.
OWNER_STATUSES = {Project.Status.ACTIVE, Project.Status.ARCHIVED}


@login_required
def project_settings(request, name):
    project, role = managed_project(request, name)
    total = limits.total_size_limit(project)
    context = {
        "project": project,
        "role": role,
        "tab": "settings",
        "is_owner": role == Role.OWNER,
        "delete_form": ConfirmNameForm(expected=project.name),
        "status_form": StatusForm(),
        "upload_limit": limits.file_size_limit(project),
        "upload_limit_raised": limits.file_size_raised(project),
        "total_size_limit": total,
        "total_size_raised": limits.total_size_raised(project),
        "usage_percent": min(100, round(100 * project.total_size / max(1, total))),
        "can_set_private": can_set_private(request.user, project),
        "private_capable": project.organization_id is not None and project.organization.private_capable,
    }
    return render(request, "manage/settings.html", context)


@login_required
@require_POST
def set_status(request, name):
    project, role = managed_project(request, name, owner=True)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose archived or active.")
    elif project.status not in OWNER_STATUSES:
        messages.error(request, f"This project is {project.status}; only the index's staff can change that.")
    elif form.cleaned_data["status"] != project.status:
        services.set_status(project, form.cleaned_data["status"], request.user, form.cleaned_data["reason"])
        messages.success(request, f"{project.name} is now {project.status}.")
    return redirect("manage_project_settings", name=project.normalized_name)


@login_required
@require_POST
def set_private(request, name):
    project, role = managed_project(request, name)
    if not can_set_private(request.user, project):
        raise PermissionDenied("Only an Owner of the project's organization can make it private or public.")
    form = PrivacyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose private or public.")
    elif form.cleaned_data["private"] != project.is_private:
        try:
            services.set_private(project, form.cleaned_data["private"], request.user, form.cleaned_data["reason"])
        except services.PrivacyRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{project.name} is now {'private' if project.is_private else 'public'}.")
    return redirect("manage_project_settings", name=project.normalized_name)


@login_required
@require_POST
def delete_project(request, name):
    project, role = managed_project(request, name, owner=True)
    form = ConfirmNameForm(request.POST, expected=project.name)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("confirm", ["Confirm by typing the project name."])))
        return redirect("manage_project_settings", name=project.normalized_name)
    project_name = project.name
    with transaction.atomic():
        notify.release_changed(project, "", "deleted the project", request.user, form.cleaned_data["reason"])
        services.delete_project(project, request.user, form.cleaned_data["reason"])
    messages.success(request, f"Deleted {project_name}. Its filenames can never be uploaded again.")
    return redirect("manage_projects")
