"""Simple repository API views: /simple/ and /simple/<project>/.

Each request costs one small query (the serial); bodies come from the serial-keyed page
cache (api/pagecache.py), already compressed for the client's Accept-Encoding.
"""
from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseNotModified, HttpResponsePermanentRedirect
from django.views.decorators.http import require_safe

from packages.names import normalize_name

from .. import pagecache
from . import lookup, render
from .negotiation import JSON_V1, NotAcceptable, negotiate


def _kind(media_type):
    return "json" if media_type == JSON_V1 else "html"


def _cache_headers(response, serial, media_type, encoding, surrogate_keys):
    response["ETag"] = pagecache.etag(serial, _kind(media_type), encoding)
    response["X-PyPI-Last-Serial"] = str(serial)
    response["Vary"] = "Accept, Accept-Encoding"
    # Clients revalidate every time (a 304 costs one indexed query), so a yank or an
    # upload is seen at once; a front cache told to hold pages longer is purged on change.
    response["Cache-Control"] = "public, max-age=0, must-revalidate"
    response["Surrogate-Key"] = " ".join(surrogate_keys)
    if settings.EDGE_CACHE_SECONDS:
        response["Surrogate-Control"] = f"max-age={settings.EDGE_CACHE_SECONDS}"
        response["X-Accel-Expires"] = str(settings.EDGE_CACHE_SECONDS)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _respond(request, key, render_body, serial, media_type, surrogate_keys):
    encoding = pagecache.choose_encoding(request.META.get("HTTP_ACCEPT_ENCODING"))
    if pagecache.etag_matches(request.META.get("HTTP_IF_NONE_MATCH"), serial, _kind(media_type)):
        return _cache_headers(HttpResponseNotModified(), serial, media_type, encoding, surrogate_keys)
    body = pagecache.get_body(key, encoding, render_body)
    content_type = media_type if media_type == JSON_V1 else f"{media_type}; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    if encoding != pagecache.IDENTITY:
        response["Content-Encoding"] = encoding
    return _cache_headers(response, serial, media_type, encoding, surrogate_keys)


def _not_acceptable(exc):
    return HttpResponse(str(exc), status=406, content_type="text/plain; charset=utf-8")


@require_safe
def index(request):
    try:
        media_type = negotiate(request)
    except NotAcceptable as exc:
        return _not_acceptable(exc)
    serial = lookup.global_serial()

    def body():
        rows = render.index_rows(serial)
        if media_type == JSON_V1:
            return render.render_index_json(rows, serial)
        return render.render_index_html(rows)

    key = pagecache.index_key(serial, _kind(media_type))
    return _respond(request, key, body, serial, media_type, ["simple", "simple-index"])


@require_safe
def detail(request, name):
    normalized = normalize_name(name)
    if normalized != name:
        target = f"/simple/{normalized}/"
        if request.META.get("QUERY_STRING"):
            target += "?" + request.META["QUERY_STRING"]
        response = HttpResponsePermanentRedirect(target)
        response["Access-Control-Allow-Origin"] = "*"
        return response
    try:
        media_type = negotiate(request)
    except NotAcceptable as exc:
        return _not_acceptable(exc)
    project = lookup.public_project(normalized)
    if project is None:
        raise Http404(f"No project named '{name}'.")

    def body():
        rows, versions = render.detail_data(project)
        if media_type == JSON_V1:
            return render.render_detail_json(project, rows, versions)
        return render.render_detail_html(project, rows)

    key = pagecache.detail_key(normalized, project.last_serial, _kind(media_type))
    return _respond(request, key, body, project.last_serial, media_type, ["simple", f"simple/{normalized}"])
