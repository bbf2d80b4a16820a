"""/manage/account/: display name, links to the other settings, security history, deletion."""

from allauth.account.decorators import reauthentication_required
from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from .. import services
from ..forms import DeleteAccountForm, DisplayNameForm


@login_required
def account_settings(request):
    user = request.user
    form = DisplayNameForm(request.POST or None, initial={"name": user.name})
    if request.method == "POST" and form.is_valid():
        if services.change_display_name(user, form.cleaned_data["name"].strip(), request):
            messages.success(request, "Your display name was changed.")
        return redirect("account_settings")
    context = {
        "form": form,
        "emails": EmailAddress.objects.filter(user=user).order_by("-primary", "email"),
        "has_two_factor": user.has_two_factor(),
        "active_tokens": sum(1 for t in user.api_tokens.all() if t.is_active),
    }
    return render(request, "accounts/settings.html", context)


@login_required
def security_history(request):
    page = Paginator(request.user.security_events.all(), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/security.html", {"page": page})


@login_required
@reauthentication_required
def delete_account(request):
    user = request.user
    blocking = services.sole_owner_projects(user)
    form = DeleteAccountForm(request.POST or None, user=user)
    if request.method == "POST" and not blocking and form.is_valid():
        try:
            services.delete_account(user)
        except services.AccountDeletionRefused as exc:  # a project changed hands meanwhile
            blocking = exc.projects
        else:
            logout(request)
            messages.success(request, "Your account was deleted.")
            return redirect("/")
    status = 409 if blocking and request.method == "POST" else 200
    return render(request, "accounts/delete.html", {"form": form, "blocking": blocking}, status=status)
