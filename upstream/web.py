"""The project and release pages of upstream projects (/project/<name>/, /project/<name>/<v>/).

Mounted before packages' pages (pypiapp/urls.py), which answer first: only where they find no
project (404), a name whose upstream page is cached (and that no local project holds) gets a page
saying which upstream it comes from. A web page never asks the upstreams about a new name.
"""

from types import SimpleNamespace

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe

from core.clientip import client_key
from packages.canonical import redirect_to_normalized_name
from packages.views import project as local_pages
from stats.services import project_downloads

from . import documents, files, pages, rule
from .models import UpstreamProject


def _cached_row(normalized_name):
    """The cached upstream page for a name no local project holds and staff did not prohibit."""
    row = UpstreamProject.objects.filter(normalized_name=normalized_name, is_miss=False).first()
    return row if row is not None and rule.may_proxy(normalized_name) else None


def _revalidated(request, row):
    """The page as the upstreams say now (bounded per client), else the cached copy."""
    try:
        page = pages.lookup(row.normalized_name, client=client_key(request))
    except (pages.Throttled, pages.Unavailable):
        return pages.Page(row, stale_reason="the upstream index is unavailable")
    return page or pages.Page(row)


def _context(request, page, version):
    row = page.row
    info = documents.project_info(row)
    if info.get("version") != version:
        info = documents.version_info(row, version)
    grouped = documents.files_by_version(row)
    latest = documents.latest_version(row)
    release_files = [
        {**f, "url": files.url_path(row.normalized_name, f["sha256"], f["filename"])} for f in grouped.get(version, [])
    ]
    links = local_pages.safe_links(
        SimpleNamespace(
            project_urls=info.get("project_urls") or {},
            home_page=info.get("home_page") or "",
            download_url=info.get("download_url") or "",
        )
    )
    return {
        "row": row,
        "name": info.get("name") or row.normalized_name,
        "upstream": row.upstream,
        "stale_reason": page.stale_reason,
        "version": version,
        "latest": latest,
        "is_latest": version == latest,
        "info": info,
        # Rendered and sanitized when it was fetched (core/readme.py), never on a view.
        "readme": mark_safe(info.get(documents.DESCRIPTION_HTML) or ""),  # noqa: S308 (sanitized when fetched)
        "links": links,
        "versions": [(v, bool(fs) and all(f["yanked"] for f in fs)) for v, fs in reversed(grouped.items())],
        "files": release_files,
        "downloads": project_downloads(None, row.normalized_name),
        "index_url": f"{settings.SITE_URL.rstrip('/')}/simple/",
    }


@redirect_to_normalized_name("project_detail")
def project_detail(request, name):
    try:  # a local project's page costs nothing more
        return local_pages.project_detail(request, name=name)
    except Http404:
        row = _cached_row(name)
        if row is None:
            raise
    page = _revalidated(request, row)
    version = documents.latest_version(page.row)
    if version is None:
        raise Http404("No releases.")
    return render(request, "upstream/project.html", _context(request, page, version))


@redirect_to_normalized_name("release_detail")
def release_detail(request, name, version):
    try:
        return local_pages.release_detail(request, name=name, version=version)
    except Http404:
        row = _cached_row(name)
        if row is None:
            raise
    page = _revalidated(request, row)
    found = documents.find_version(page.row, version)
    if found is None:
        raise Http404("No such release.")
    if found != version:
        return redirect("release_detail", name=name, version=found, permanent=True)
    return render(request, "upstream/project.html", _context(request, page, found))
