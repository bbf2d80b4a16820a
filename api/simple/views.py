"""Simple repository API views: /simple/ and /simple/<project>/."""
from django.http import Http404, HttpResponse, HttpResponseNotModified, HttpResponsePermanentRedirect
from django.views.decorators.http import require_safe

from packages.models import Project
from packages.names import normalize_name

from . import render
from .negotiation import JSON_V1, NotAcceptable, negotiate


def _etag(serial, media_type):
    kind = "json" if media_type == JSON_V1 else "html"
    return f'"s{serial}-{kind}"'


def _respond(request, body_fn, serial, media_type):
    etag = _etag(serial, media_type)
    if etag in request.META.get("HTTP_IF_NONE_MATCH", ""):
        response = HttpResponseNotModified()
    else:
        content_type = media_type if media_type == JSON_V1 else f"{media_type}; charset=utf-8"
        response = HttpResponse(body_fn(), content_type=content_type)
    response["ETag"] = etag
    response["X-PyPI-Last-Serial"] = str(serial)
    response["Vary"] = "Accept, Accept-Encoding"
    response["Cache-Control"] = "max-age=600, public"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _not_acceptable(exc):
    return HttpResponse(str(exc), status=406, content_type="text/plain; charset=utf-8")


@require_safe
def index(request):
    try:
        media_type = negotiate(request)
    except NotAcceptable as exc:
        return _not_acceptable(exc)
    serial = render.index_serial()

    def body():
        rows = render.index_rows()
        if media_type == JSON_V1:
            return render.render_index_json(rows, serial)
        return render.render_index_html(rows)

    return _respond(request, body, serial, media_type)


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
    project = Project.objects.public().filter(normalized_name=normalized).first()
    if project is None:
        raise Http404(f"No project named '{name}'.")

    def body():
        rows, versions = render.detail_data(project)
        if media_type == JSON_V1:
            return render.render_detail_json(project, rows, versions)
        return render.render_detail_html(project, rows)

    return _respond(request, body, project.last_serial, media_type)
