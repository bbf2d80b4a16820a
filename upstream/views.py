"""Upstream simple pages and JSON documents (called by api/simple/views.py and api/json/views.py
after the local checks) and file downloads."""

import logging
from types import SimpleNamespace

from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.http import require_safe

from api.files.views import deliver
from api.simple import render
from api.simple.negotiation import JSON_V1
from core.clientip import client_key
from packages.names import normalize_name
from stats import downloadlog
from stats.services import project_downloads

from . import ahead, documents, fetch, files, merge, pages, stored, streaming
from .rows import render_rows

log = logging.getLogger(__name__)


class _Refused(Exception):
    """A lookup that ends in an error answer (429, 502, 504, 404) instead of a page."""

    def __init__(self, message, status, retry_after=None):
        super().__init__(message)
        self.status, self.retry_after = status, retry_after

    def response(self, as_json=False):
        if as_json:
            response = JsonResponse({"message": str(self)}, status=self.status)
        else:
            response = HttpResponse(f"{self}\n", status=self.status, content_type="text/plain; charset=utf-8")
        if self.retry_after:
            response["Retry-After"] = str(self.retry_after)
        return response


def _lookup(request, normalized_name):
    """The upstream Page for a name no local project holds (bounded per client), or _Refused."""
    try:
        page = pages.lookup(normalized_name, client=client_key(request))
    except pages.Throttled as exc:
        raise _Refused(str(exc), 429, exc.retry_after) from None
    except pages.Unavailable as exc:
        message = f"The upstream index is unavailable and '{normalized_name}' is not cached: {exc}"
        raise _Refused(message, 504 if exc.timeout else 502) from None
    if page is None:
        raise _Refused(f"No project named '{normalized_name}'.", 404)
    return page


def _stale(response, page):
    if page.stale_reason:
        response["Warning"] = f'110 - "Response is stale: {page.stale_reason}"'
    return response


def simple_detail(request, name, media_type, content_type):
    """The proxied page for a name no local project holds; raises Http404 when no upstream knows it."""
    normalized_name = normalize_name(name)
    try:
        page = _lookup(request, normalized_name)
    except _Refused as refused:
        if refused.status == 404:
            raise Http404(str(refused)) from None
        return refused.response()
    project = SimpleNamespace(
        name=normalized_name, normalized_name=normalized_name, status="active", status_reason="", last_serial=0
    )
    rows = render_rows(normalized_name, page.row.files)
    if media_type == JSON_V1:
        body = render.render_detail_json(project, rows, page.row.versions)
    else:
        body = render.render_detail_html(project, rows)
    response = HttpResponse(body, content_type=content_type)
    response["X-Upstream"] = page.row.upstream
    if request.method == "GET":  # an installer reading a page is resolving: a metadata file comes next
        ahead.after_page(page.row)
    return _stale(response, page)


def json_document(request, name, version=None):
    """/pypi/<name>/json (and /pypi/<name>/<version>/json) of an upstream project (called by
    api/json/views.py for a name no local project holds and staff did not prohibit)."""
    normalized_name = normalize_name(name)
    try:
        page = _lookup(request, normalized_name)
    except _Refused as refused:
        return refused.response(as_json=True)
    downloads = project_downloads(None, normalized_name)
    absolute = request.build_absolute_uri
    if version is None:
        document = documents.project_json_document(page.row, absolute, downloads)
    else:
        document = documents.json_document(page.row, absolute, downloads, version)
    if document is None:
        return JsonResponse({"message": "Not Found"}, status=404)
    response = JsonResponse(document)
    response["X-Upstream"] = page.row.upstream
    response["X-PyPI-Last-Serial"] = str(document["last_serial"])
    return _stale(response, page)


def _error(message, status):
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _deliver_cached(path, filename, is_metadata):
    stored.touch(path)  # the retention policy's last-downloaded mark (at most once a day per file)
    return deliver(path, filename, is_metadata)


@require_safe
def download(request, name, sha256, filename):
    normalized = normalize_name(name)
    is_metadata = filename.endswith(files.METADATA_SUFFIX) and not filename.endswith(".whl")
    base_filename = filename[: -len(files.METADATA_SUFFIX)] if is_metadata else filename
    wanted = files.find(normalized, sha256, base_filename, is_metadata) if normalized == name else None
    # A local project's name never serves upstream files, unless staff said so (then only versions it lacks).
    if wanted is None or not merge.may_serve(normalized, wanted.entry["version"]):
        raise Http404("No such file.")
    counted = not is_metadata and request.method == "GET"
    if is_metadata and request.method == "GET":  # a client reading metadata is resolving: its dependencies come next
        ahead.after_metadata(wanted)
    try:
        return streaming.obtain(
            wanted,
            lambda path: _deliver_cached(path, wanted.filename, is_metadata),
            # Always counted here: Django answers every /proxy/ request (nginx logs /packages/ only).
            count=(lambda: downloadlog.record(request.path, request.META.get("HTTP_USER_AGENT", "")))
            if counted
            else None,
        )
    except streaming.IntegrityFailure as exc:
        return _error(f"{exc}: refused, not stored.\n", 502)
    except fetch.NotFound:
        return _error("The upstream no longer has this file.\n", 502)
    except fetch.UpstreamError as exc:
        return _error(f"The upstream index failed: {exc}\n", 504 if exc.timeout else 502)
