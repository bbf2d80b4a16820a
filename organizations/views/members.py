"""Members and invitations: any member sees them; Owners invite, change roles, remove and
revoke; a member may leave (the last Owner may not)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from .. import services
from ..forms import MemberInviteForm, MemberRoleForm
from ..models import OrganizationInvitation, OrganizationRole
from ..permissions import managed_organization, may
from .pages import render_manage


def _page(request, organization, role, invite_form=None, status=200):
    members = organization.roles.select_related("user").order_by("role_name", "user__username")
    invitations = organization.invitations.filter(status=OrganizationInvitation.Status.PENDING).select_related(
        "invitee", "invited_by"
    )
    context = {
        "members": members,
        "invitations": invitations,
        "invite_form": invite_form or MemberInviteForm(),
        "owner_count": sum(1 for m in members if m.role_name == OrganizationRole.OWNER),
        "role_choices": OrganizationRole.ROLE_CHOICES,
    }
    return render_manage(request, organization, role, "members", context, status=status)


def _back(organization):
    return redirect("organization_members", name=organization.normalized_name)


@login_required
def members(request, name):
    organization, role = managed_organization(request, name)
    return _page(request, organization, role)


@login_required
@require_POST
def invite(request, name):
    organization, role = managed_organization(request, name, "members")
    form = MemberInviteForm(request.POST)
    if not form.is_valid():
        return _page(request, organization, role, form, status=400)
    invitee = form.cleaned_data["who"]
    try:
        invitation, _ = services.members.invite(organization, invitee, form.cleaned_data["role_name"], request.user)
    except services.OrganizationError as exc:
        form.add_error("who", str(exc))
        return _page(request, organization, role, form, status=400)
    messages.success(request, f"Invited {invitee.username} as {invitation.role_name}. They must accept the invitation.")
    return _back(organization)


@login_required
@require_POST
def revoke_invitation(request, name, invitation_id):
    organization, _ = managed_organization(request, name, "members")
    invitation = get_object_or_404(OrganizationInvitation, pk=invitation_id, organization=organization)
    try:
        services.members.revoke_invitation(invitation, request.user)
        messages.success(request, f"Revoked the invitation of {invitation.invitee.username}.")
    except services.OrganizationError as exc:
        messages.error(request, str(exc))
    return _back(organization)


@login_required
@require_POST
def change_role(request, name, role_id):
    organization, _ = managed_organization(request, name, "members")
    target = get_object_or_404(OrganizationRole.objects.select_related("user"), pk=role_id, organization=organization)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the role Owner, Manager or Member.")
        return _back(organization)
    try:
        changed = services.members.change_role(target, form.cleaned_data["role_name"], request.user)
        messages.success(request, f"{target.user.username} is now {changed.role_name}.")
    except services.OrganizationError as exc:
        messages.error(request, str(exc))
    return _back(organization)


@login_required
@require_POST
def remove(request, name, role_id):
    organization, role = managed_organization(request, name)
    target = get_object_or_404(OrganizationRole.objects.select_related("user"), pk=role_id, organization=organization)
    leaving = target.user_id == request.user.pk
    if not leaving and not may(role, "members"):
        raise PermissionDenied("Only an organization Owner can remove members.")
    try:
        services.members.remove_member(target, request.user)
    except services.OrganizationError as exc:
        messages.error(request, str(exc))
        return _back(organization)
    if leaving:
        messages.success(request, f"You left {organization.name}.")
        return redirect("organizations_yours")
    messages.success(request, f"Removed {target.user.username} from {organization.name} and its teams.")
    return _back(organization)
