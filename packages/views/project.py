"""Public project and release pages: /project/<name>/ and /project/<name>/<version>/."""

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from packaging.version import InvalidVersion, Version

from .. import classifiers
from ..canonical import redirect_to_normalized_name
from ..models import File, Project, Release, Role, latest_release

# Everything the pages show about the other releases; the README is only loaded for the one shown.
HISTORY_FIELDS = (
    "id",
    "project_id",
    "version",
    "canonical_version",
    "is_prerelease",
    "yanked",
    "yanked_reason",
    "created",
)


def _with_token(url):
    """The index URL pip and uv read a private project through: a read token as the password."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://__token__:<read token>@{rest}"


def _project(request, name):
    """The project (normalized `name`) if the user may see it: quarantined ones only its
    maintainers and staff, private ones only those packages/permissions.py lets see them."""
    return get_object_or_404(Project.objects.visible_to(request.user), normalized_name=name)


def safe_links(release):
    """Project links with only http(s) URLs (a javascript: URL in metadata must never become a link)."""
    links = []
    seen = set()
    candidates = list((release.project_urls or {}).items())
    if release.home_page:
        candidates.insert(0, ("Homepage", release.home_page))
    if release.download_url:
        candidates.append(("Download", release.download_url))
    for label, url in candidates:
        url = (url or "").strip()
        if url.lower().startswith(("https://", "http://")) and url not in seen:
            seen.add(url)
            links.append({"label": str(label)[:64] or url, "url": url})
    return links


def split_keywords(text):
    """Keywords as people write them: comma-separated, or space-separated when there is no comma."""
    parts = text.split(",") if "," in text else text.split()
    return [part.strip() for part in parts if part.strip()][:20]


def _context(request, project, releases, release):
    current = None
    if release is not None:
        current = (
            Release.objects.filter(pk=release.pk)
            .prefetch_related(
                "classifiers", Prefetch("files", queryset=File.objects.order_by("packagetype", "filename"))
            )
            .get()
        )
    roles = Role.objects.filter(project=project).select_related("user").order_by("role_name", "user__username")
    latest = latest_release(releases)
    files = list(current.files.all()) if current else []
    return {
        "project": project,
        "release": current,
        "latest": latest,
        "is_latest": current is not None and latest is not None and current.pk == latest.pk,
        "releases": sorted(releases, key=lambda r: r.parsed_version, reverse=True),
        "files": files,
        "sdists": [f for f in files if f.packagetype == "sdist"],
        "wheels": [f for f in files if f.packagetype != "sdist"],
        "classifier_groups": classifiers.grouped(current.classifier_names) if current else [],
        "keywords": split_keywords(current.keywords) if current else [],
        "index_url": f"{settings.SITE_URL.rstrip('/')}/simple/",
        "private_index_url": _with_token(f"{settings.SITE_URL.rstrip('/')}/simple/"),
        "links": safe_links(current) if current else [],
        # Rendered at upload (core/readme.py): a page view never renders.
        "readme": mark_safe(current.description_html) if current else "",  # noqa: S308 (sanitized by nh3 at upload)
        "maintainers": [role.user for role in roles],
        "can_manage": request.user.is_authenticated and any(r.user_id == request.user.pk for r in roles),
    }


@redirect_to_normalized_name("project_detail")
def project_detail(request, name):
    project = _project(request, name)
    releases = list(Release.objects.filter(project=project).only(*HISTORY_FIELDS))
    context = _context(request, project, releases, latest_release(releases))
    return render(request, "packages/project.html", context)


@redirect_to_normalized_name("release_detail")
def release_detail(request, name, version):
    project = _project(request, name)
    try:
        wanted = Version(version)
    except InvalidVersion:
        raise Http404("No such release.")
    releases = list(Release.objects.filter(project=project).only(*HISTORY_FIELDS))
    # Exact text first; otherwise any equal version (1.0.0 == 1.0 under PEP 440).
    release = next((r for r in releases if r.version == version), None) or next(
        (r for r in releases if r.parsed_version == wanted), None
    )
    if release is None:
        raise Http404("No such release.")
    if release.version != version:
        return redirect("release_detail", name=project.normalized_name, version=release.version, permanent=True)
    return render(request, "packages/project.html", _context(request, project, releases, release))
