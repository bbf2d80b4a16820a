"""The invitee's side: pending invitations, accept or decline."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ... import services
from ...models import RoleInvitation
from . import notify


@login_required
def invitations(request):
    return render(request, "manage/invitations.html", {"invitations": services.pending_for(request.user)})


@login_required
def invitation_by_token(request, token):
    """The link from the invitation mail: shows that one invitation if it is the logged-in user's."""
    invitation = (
        RoleInvitation.objects.select_related("project", "invited_by")
        .filter(token=services.invitations.hash_token(token), invitee=request.user)
        .first()
    )
    if invitation is None:
        raise Http404("No such invitation for this account.")
    return render(request, "manage/invitations.html", {"invitations": [invitation], "single": True})


def _own_invitation(request, invitation_id):
    invitation = RoleInvitation.objects.select_related("project").filter(pk=invitation_id, invitee=request.user).first()
    if invitation is None:  # someone else's invitation looks exactly like a missing one
        raise Http404("No such invitation for this account.")
    return invitation


@login_required
@require_POST
def accept(request, invitation_id):
    invitation = _own_invitation(request, invitation_id)
    try:
        services.accept_invitation(invitation, request.user)
    except services.CollaborationError as exc:
        messages.error(request, str(exc))
        return redirect("manage_invitations")
    if invitation.invited_by_id:
        notify.role_changed(
            invitation.invited_by,
            invitation.project,
            f"accepted your invitation to become {invitation.role_name}",
            request.user,
        )
    messages.success(request, f"You are now {invitation.role_name} of {invitation.project.name}.")
    return redirect("manage_project_releases", name=invitation.project.normalized_name)


@login_required
@require_POST
def decline(request, invitation_id):
    invitation = _own_invitation(request, invitation_id)
    try:
        services.decline_invitation(invitation, request.user)
        messages.success(request, f"Declined the invitation to {invitation.project.name}.")
    except services.CollaborationError as exc:
        messages.error(request, str(exc))
    return redirect("manage_invitations")
