"""Publishing pages: a project's trusted publishers (Owners), and pending publishers on the
account (for projects that do not exist yet). The work is in services.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from packages.permissions import managed_project

from . import services
from .forms import issuer_forms, posted_claims
from .models import OIDCIssuer, TrustedPublisher


def _project_page(request, project, role, forms=None, status=200):
    publishers = TrustedPublisher.objects.filter(project=project).select_related("issuer", "added_by")
    context = {
        "project": project,
        "role": role,
        "tab": "publishing",
        "publishers": publishers,
        "forms": forms or issuer_forms(),
    }
    return render(request, "oidc/publishing.html", context, status=status)


@login_required
def publishing(request, name):
    project, role = managed_project(request, name, owner=True)
    return _project_page(request, project, role)


def _add(request, add):
    """Read the posted issuer and claims and call `add(issuer, claims)`; (ok, forms)."""
    issuer_id = request.POST.get("issuer", "").strip()
    issuer = OIDCIssuer.objects.filter(pk=issuer_id, enabled=True).first() if issuer_id.isdigit() else None
    if issuer is None:
        return False, issuer_forms()
    claims, error = posted_claims(issuer, request.POST)
    if not error:
        try:
            publisher = add(issuer, claims)
        except services.PublisherError as exc:
            error = str(exc)
        else:
            messages.success(request, f"Added the trusted publisher {publisher.label}.")
            return True, None
    return False, issuer_forms(request.POST, issuer.pk, error)


@login_required
@require_POST
def add_publisher(request, name):
    project, role = managed_project(request, name, owner=True)
    ok, forms = _add(request, lambda issuer, claims: services.add_publisher(project, issuer, claims, request.user))
    if not ok:
        return _project_page(request, project, role, forms, status=400)
    return redirect("oidc_publishing", name=project.normalized_name)


@login_required
@require_POST
def remove_publisher(request, name, pk):
    project, _ = managed_project(request, name, owner=True)
    publisher = get_object_or_404(TrustedPublisher.objects.select_related("issuer"), pk=pk, project=project)
    services.remove_publisher(publisher, request.user)
    messages.success(request, f"Removed the trusted publisher {publisher.label}.")
    return redirect("oidc_publishing", name=project.normalized_name)


def _pending_page(request, forms=None, status=200, project_name=""):
    pending = TrustedPublisher.objects.filter(added_by=request.user, project__isnull=True).select_related("issuer")
    context = {"pending": pending, "forms": forms or issuer_forms(), "project_name": project_name}
    return render(request, "oidc/pending.html", context, status=status)


@login_required
def pending_publishers(request):
    return _pending_page(request)


@login_required
@require_POST
def add_pending(request):
    name = request.POST.get("project_name", "").strip()
    ok, forms = _add(request, lambda issuer, claims: services.add_pending_publisher(name, issuer, claims, request.user))
    if not ok:
        return _pending_page(request, forms, status=400, project_name=name)
    return redirect("oidc_pending")


@login_required
@require_POST
def remove_pending(request, pk):
    publisher = get_object_or_404(
        TrustedPublisher.objects.select_related("issuer"), pk=pk, added_by=request.user, project__isnull=True
    )
    services.remove_publisher(publisher, request.user)
    messages.success(request, f"Removed the pending publisher {publisher.label}.")
    return redirect("oidc_pending")
