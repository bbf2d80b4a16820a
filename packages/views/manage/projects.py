"""Your projects, a project's releases and history, and the per-release actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from organizations.models import OrganizationInvitation

from ... import services
from ...forms import ConfirmNameForm, ReasonForm
from ...models import File, JournalEntry, Project, Release, latest_release
from ...permissions import managed_project, projects_of
from . import notify

HISTORY_PAGE = 200


@login_required
def projects(request):
    """Every project the user holds a role on: their own, their teams' and, as an organization's
    Owner, its projects (packages.permissions.projects_of)."""
    effective = projects_of(request.user)
    releases = Release.objects.only("id", "project_id", "version", "yanked", "is_prerelease", "created")
    found = (
        Project.objects.filter(pk__in=effective)
        .select_related("organization")
        .prefetch_related(Prefetch("releases", queryset=releases))
        .order_by("normalized_name")
    )
    rows = [
        {
            "role": effective[p.pk],
            "project": p,
            "latest": latest_release(p.releases.all()),
            "organization": p.organization,
        }
        for p in found
    ]
    pending = services.pending_for(request.user).count()
    organization_invitations = services.invitations.pending_of(OrganizationInvitation, request.user).count()
    context = {"rows": rows, "pending_invitations": pending, "organization_invitations": organization_invitations}
    return render(request, "manage/projects.html", context)


def _release(project, version):
    release = Release.objects.for_version(project, version)
    if release is None:
        raise Http404("No such release.")
    return release


@login_required
def project_releases(request, name):
    project, role = managed_project(request, name)
    releases = sorted(
        Release.objects.filter(project=project).annotate(file_count=Count("files")),
        key=lambda r: r.parsed_version,
        reverse=True,
    )
    context = {"project": project, "role": role, "releases": releases, "tab": "releases"}
    return render(request, "manage/releases.html", context)


def _release_page(request, project, role, release, *, yank_form=None, delete_form=None, file_form=None, status=200):
    """The release page; a refused form re-renders it with the errors beside their fields (400)."""
    files = File.objects.filter(release=release).select_related("uploader").order_by("packagetype", "filename")
    journal = JournalEntry.objects.filter(project=project, version=release.version).select_related("submitted_by")
    context = {
        "project": project,
        "role": role,
        "release": release,
        "files": files,
        "journal": journal[:HISTORY_PAGE],
        "yank_form": yank_form or ReasonForm(),
        "delete_form": delete_form or ConfirmNameForm(expected=release.version),
        "file_form": file_form,
        "tab": "releases",
    }
    return render(request, "manage/release.html", context, status=status)


@login_required
def release(request, name, version):
    project, role = managed_project(request, name)
    return _release_page(request, project, role, _release(project, version))


@login_required
@require_POST
def yank(request, name, version):
    project, role = managed_project(request, name)
    release = _release(project, version)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _release_page(request, project, role, release, yank_form=form, status=400)
    if not release.yanked:
        reason = form.cleaned_data["reason"]
        with transaction.atomic():
            services.yank_release(release, reason, request.user)
            notify.release_changed(project, release.version, "yanked", request.user, reason)
        messages.success(request, f"Yanked {project.name} {release.version}: installers skip it unless pinned exactly.")
    return redirect("manage_release", name=project.normalized_name, version=release.version)


@login_required
@require_POST
def unyank(request, name, version):
    project, role = managed_project(request, name)
    release = _release(project, version)
    if release.yanked:
        with transaction.atomic():
            services.unyank_release(release, request.user)
            notify.release_changed(project, release.version, "un-yanked", request.user)
        messages.success(request, f"Un-yanked {project.name} {release.version}.")
    return redirect("manage_release", name=project.normalized_name, version=release.version)


@login_required
@require_POST
def delete_release(request, name, version):
    project, role = managed_project(request, name, owner=True)
    release = _release(project, version)
    form = ConfirmNameForm(request.POST, expected=release.version)
    if not form.is_valid():
        return _release_page(request, project, role, release, delete_form=form, status=400)
    version_text = release.version
    with transaction.atomic():
        services.delete_release(release, request.user, form.cleaned_data["reason"])
        notify.release_changed(project, version_text, "deleted", request.user, form.cleaned_data["reason"])
    messages.success(request, f"Deleted release {version_text}. Its filenames can never be uploaded again.")
    return redirect("manage_project_releases", name=project.normalized_name)


@login_required
@require_POST
def delete_file(request, name, version, file_id):
    project, role = managed_project(request, name, owner=True)
    release = _release(project, version)
    file = get_object_or_404(File, pk=file_id, release=release)
    form = ConfirmNameForm(request.POST, expected=file.filename)
    if not form.is_valid():
        form.file_id = file.pk  # which file's form failed: its errors show there
        return _release_page(request, project, role, release, file_form=form, status=400)
    filename = file.filename
    with transaction.atomic():
        services.delete_file(file, request.user, form.cleaned_data["reason"])
        notify.release_changed(project, release.version, f"deleted file {filename} from", request.user)
    messages.success(request, f"Deleted {filename}. This filename can never be uploaded again.")
    return redirect("manage_release", name=project.normalized_name, version=release.version)


@login_required
def history(request, name):
    project, role = managed_project(request, name)
    journal = JournalEntry.objects.filter(project=project).select_related("submitted_by")[:HISTORY_PAGE]
    return render(
        request, "manage/history.html", {"project": project, "role": role, "journal": journal, "tab": "history"}
    )
