"""The organization's settings (Owners) and history (Owners and Managers)."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from .. import services
from ..forms import SettingsForm
from ..permissions import managed_organization
from .pages import render_manage

HISTORY_PAGE = 200


@login_required
def organization_settings(request, name):
    organization, role = managed_organization(request, name, "settings")
    # A copy: a valid ModelForm writes into its instance, and the service compares against the row.
    form = SettingsForm(request.POST or None, instance=copy.copy(organization))
    if request.method == "POST" and form.is_valid():
        services.profile.update_settings(
            organization, request.user, **{field: form.cleaned_data[field] for field in services.profile.EDITABLE}
        )
        messages.success(request, "Saved the organization's settings.")
        return redirect("organization_settings", name=organization.normalized_name)
    status = 400 if request.method == "POST" else 200
    return render_manage(request, organization, role, "settings", {"form": form}, status=status)


@login_required
def history(request, name):
    organization, role = managed_organization(request, name, "history")
    events = organization.events.select_related("submitted_by")[:HISTORY_PAGE]
    return render_manage(request, organization, role, "history", {"events": events})
