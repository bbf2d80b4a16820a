"""Your organizations, applying for one, and answering invitations to one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from packages.services.invitations import hash_token

from .. import services
from ..forms import ApplyForm
from ..models import OrganizationApplication, OrganizationInvitation, OrganizationRole


@login_required
def organizations(request):
    roles = OrganizationRole.objects.filter(user=request.user).select_related("organization")
    context = {
        "roles": roles.order_by("organization__normalized_name"),
        "invitations": services.members.pending_for(request.user),
        "applications": OrganizationApplication.objects.filter(submitted_by=request.user)[:20],
    }
    return render(request, "organizations/yours.html", context)


@login_required
def apply(request):
    form = ApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.applications.apply(request.user, **form.cleaned_data)
        except services.OrganizationError as exc:
            form.add_error("name", str(exc))
        else:
            messages.success(
                request,
                f"Your application for {form.cleaned_data['name']} is waiting for the index staff. "
                "You will get an email with their answer.",
            )
            return redirect("organizations_yours")
    status = 400 if request.method == "POST" else 200
    return render(request, "organizations/apply.html", {"form": form}, status=status)


@login_required
def invitation_by_token(request, token):
    """The link from the invitation mail: that one invitation, if it is the logged-in user's."""
    invitation = (
        OrganizationInvitation.objects.select_related("organization", "invited_by")
        .filter(token=hash_token(token), invitee=request.user)
        .first()
    )
    if invitation is None:
        raise Http404("No such invitation for this account.")
    return render(request, "organizations/invitation.html", {"invitation": invitation})


def _own_invitation(request, invitation_id):
    invitation = (
        OrganizationInvitation.objects.select_related("organization")
        .filter(pk=invitation_id, invitee=request.user)
        .first()
    )
    if invitation is None:  # someone else's invitation looks exactly like a missing one
        raise Http404("No such invitation for this account.")
    return invitation


@login_required
@require_POST
def accept(request, invitation_id):
    invitation = _own_invitation(request, invitation_id)
    try:
        services.members.accept_invitation(invitation, request.user)
    except services.OrganizationError as exc:
        messages.error(request, str(exc))
        return redirect("organizations_yours")
    messages.success(request, f"You are now {invitation.role_name} of {invitation.organization.name}.")
    return redirect("organization_manage", name=invitation.organization.normalized_name)


@login_required
@require_POST
def decline(request, invitation_id):
    invitation = _own_invitation(request, invitation_id)
    try:
        services.members.decline_invitation(invitation, request.user)
        messages.success(request, f"Declined the invitation to {invitation.organization.name}.")
    except services.OrganizationError as exc:
        messages.error(request, str(exc))
    return redirect("organizations_yours")
