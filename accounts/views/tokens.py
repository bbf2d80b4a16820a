"""/manage/account/tokens/: list, create (after re-authentication, shown once) and revoke API tokens."""

from urllib.parse import urlsplit

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .. import services
from ..forms import TokenForm
from ..models import ApiToken


@login_required
def tokens(request):
    tokens = request.user.api_tokens.select_related("project", "organization")
    return render(request, "accounts/tokens.html", {"tokens": tokens})


@login_required
@reauthentication_required
def create_token(request):
    form = TokenForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        issued = services.create_api_token(
            request.user,
            form.cleaned_data["name"],
            **form.cleaned_data["scope"],
            expires=form.cleaned_data["expires"],
            request=request,
        )
        # Rendered, not redirected: the secret is never stored, so this is the only time it is shown.
        # netrc names a machine by host name alone (no port), as pip and uv look it up.
        machine = urlsplit(f"//{request.get_host()}").hostname
        response = render(request, "accounts/token_created.html", {"issued": issued, "machine": machine})
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "accounts/token_form.html", {"form": form})


@login_required
@require_POST
def revoke_token(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    if services.revoke_api_token(request.user, token, request):
        messages.success(request, f"The token “{token.name}” was revoked.")
    return redirect("account_tokens")
