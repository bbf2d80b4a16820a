"""Collaborators of a project: list (any collaborator), invite / change / remove (Owners only).

A collaborator may also remove themselves ("leave"), unless they are the last Owner."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from organizations.models import TeamProjectRole

from ... import services
from ...forms import InviteForm, RoleForm
from ...models import Role, RoleInvitation
from ...permissions import can_manage_collaborators, managed_project
from . import notify


def _page(request, project, role, invite_form=None, status=200):
    roles = Role.objects.filter(project=project).select_related("user").order_by("role_name", "user__username")
    invitations = RoleInvitation.objects.filter(project=project, status=RoleInvitation.Status.PENDING).select_related(
        "invitee", "invited_by"
    )
    team_roles = TeamProjectRole.objects.filter(project=project, team__organization_id=project.organization_id)
    context = {
        "project": project,
        "role": role,
        "roles": roles,
        "team_roles": team_roles.select_related("team", "team__organization").order_by("team__normalized_name"),
        "invitations": invitations,
        "tab": "collaborators",
        "can_manage": can_manage_collaborators(role),
        "invite_form": invite_form or InviteForm(),
        "owner_count": sum(1 for r in roles if r.role_name == Role.OWNER),
    }
    return render(request, "manage/collaborators.html", context, status=status)


@login_required
def collaborators(request, name):
    project, role = managed_project(request, name)
    return _page(request, project, role)


@login_required
@require_POST
def invite(request, name):
    project, role = managed_project(request, name, owner=True)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _page(request, project, role, form, status=400)
    invitee = form.cleaned_data["who"]
    try:
        with transaction.atomic():
            invitation, raw = services.invite(project, invitee, form.cleaned_data["role_name"], request.user)
            notify.invited(invitation, raw)
    except services.CollaborationError as exc:
        form.add_error("who", str(exc))
        return _page(request, project, role, form, status=400)
    messages.success(request, f"Invited {invitee.username} as {invitation.role_name}. They must accept the invitation.")
    return redirect("manage_collaborators", name=project.normalized_name)


@login_required
@require_POST
def revoke_invitation(request, name, invitation_id):
    project, role = managed_project(request, name, owner=True)
    invitation = get_object_or_404(RoleInvitation, pk=invitation_id, project=project)
    try:
        services.revoke_invitation(invitation, request.user)
        messages.success(request, f"Revoked the invitation of {invitation.invitee.username}.")
    except services.CollaborationError as exc:
        messages.error(request, str(exc))
    return redirect("manage_collaborators", name=project.normalized_name)


@login_required
@require_POST
def change_role(request, name, role_id):
    project, role = managed_project(request, name, owner=True)
    target = get_object_or_404(Role.objects.select_related("user"), pk=role_id, project=project)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the role Owner or Maintainer.")
        return redirect("manage_collaborators", name=project.normalized_name)
    old = target.role_name
    try:
        with transaction.atomic():
            changed = services.change_collaborator_role(target, form.cleaned_data["role_name"], request.user)
            if changed.role_name != old:
                notify.role_changed(
                    target.user, project, f"changed your role from {old} to {changed.role_name}", request.user
                )
        messages.success(request, f"{target.user.username} is now {changed.role_name}.")
    except services.CollaborationError as exc:
        messages.error(request, str(exc))
    return redirect("manage_collaborators", name=project.normalized_name)


@login_required
@require_POST
def remove(request, name, role_id):
    project, role = managed_project(request, name)
    target = get_object_or_404(Role.objects.select_related("user"), pk=role_id, project=project)
    leaving = target.user_id == request.user.pk
    if not leaving and not can_manage_collaborators(role):
        raise PermissionDenied("Only an Owner can remove collaborators.")
    try:
        with transaction.atomic():
            services.remove_collaborator(target, request.user)
            notify.role_changed(target.user, project, f"removed you ({target.role_name})", request.user)
    except services.CollaborationError as exc:
        messages.error(request, str(exc))
        return redirect("manage_collaborators", name=project.normalized_name)
    if leaving:
        messages.success(request, f"You left {project.name}.")
        return redirect("manage_projects")
    messages.success(request, f"Removed {target.user.username} from {project.name}.")
    return redirect("manage_collaborators", name=project.normalized_name)
