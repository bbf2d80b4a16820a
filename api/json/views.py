"""JSON API views: thin wrappers that find the project, take its document from the page
cache (rendered once per serial, like simple pages) and add the headers mirrors rely on
(X-PyPI-Last-Serial, ETag, CORS, Cache-Control)."""
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from packages.names import normalize_name
from stats.services import generation as downloads_generation

from .. import pagecache
from . import documents
from .serializers import ProjectDocumentSerializer, ReleaseDocumentSerializer

# pypi.org lets its CDN keep these 15 minutes and purges on change; nothing purges them here,
# so caches revalidate each time (ETag makes that a 304) and a mirror never sees a stale serial.
CACHE_CONTROL = "public, max-age=0, must-revalidate"
# The ETag's kind: every change moves the project's serial (usernames in "ownership" too).
ETAG_KIND = "pypi-json"


def _cors(response):
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _not_found(message="Not Found"):
    return _cors(JsonResponse({"message": message}, status=404))


def _redirect(request, path):
    query = request.META.get("QUERY_STRING")
    response = HttpResponsePermanentRedirect(path + ("?" + query if query else ""))
    response["Cache-Control"] = CACHE_CONTROL
    return _cors(response)


def _document_response(request, key, serial, serializer_class, build_document):
    """The document under `key`, rendered by `build_document()` only when this serial's body
    isn't cached yet; a matching If-None-Match costs no rendering at all. `info.downloads`
    changes without the serial, so the body and the ETag also follow the download counts."""
    counted = downloads_generation()
    key, etag_kind = f"{key}:d{counted}", f"{ETAG_KIND}-d{counted}"
    encoding = pagecache.choose_encoding(request.META.get("HTTP_ACCEPT_ENCODING"))
    if pagecache.etag_matches(request.META.get("HTTP_IF_NONE_MATCH"), serial, etag_kind):
        response = HttpResponse(status=304)
    else:

        def render():
            return JSONRenderer().render(serializer_class(build_document(), context={"request": request}).data)

        response = HttpResponse(pagecache.get_body(key, encoding, render), content_type="application/json")
        if encoding != pagecache.IDENTITY:
            response["Content-Encoding"] = encoding
    response["ETag"] = pagecache.etag(serial, etag_kind, encoding)
    response["X-PyPI-Last-Serial"] = str(serial)
    response["Cache-Control"] = CACHE_CONTROL
    response["Vary"] = "Accept-Encoding"
    return _cors(response)


def _base_url(request):
    return request.build_absolute_uri("/")


class JSONView(APIView):
    renderer_classes = [JSONRenderer]
    authentication_classes = []
    permission_classes = []


class ProjectView(JSONView):
    @extend_schema(
        operation_id="project",
        summary="A project and its latest release",
        responses={
            200: ProjectDocumentSerializer,
            301: OpenApiResponse(description="The name is not normalized: go to the canonical URL."),
            304: OpenApiResponse(description="Not modified (If-None-Match matched the ETag)."),
            404: OpenApiResponse(description="No such project, or it has no release."),
        },
    )
    def get(self, request, name):
        if normalize_name(name) != name:
            return _redirect(request, f"/pypi/{normalize_name(name)}/json")
        project = documents.public_project(name)
        if project is None or not documents.has_release(project):
            return _not_found()
        key = pagecache.json_project_key(_base_url(request), project.normalized_name, project.last_serial)
        return _document_response(
            request, key, project.last_serial, ProjectDocumentSerializer, lambda: documents.project_document(project)
        )


class ReleaseView(JSONView):
    @extend_schema(
        operation_id="release",
        summary="One release of a project",
        responses={
            200: ReleaseDocumentSerializer,
            301: OpenApiResponse(description="The name is not normalized: go to the canonical URL."),
            304: OpenApiResponse(description="Not modified (If-None-Match matched the ETag)."),
            404: OpenApiResponse(description="No such project or release."),
        },
    )
    def get(self, request, name, version):
        if normalize_name(name) != name:
            return _redirect(request, f"/pypi/{normalize_name(name)}/{version}/json")
        project = documents.public_project(name)
        release = project and documents.find_release(project, version)
        if release is None:
            return _not_found()
        key = pagecache.json_release_key(_base_url(request), project.normalized_name, release.version,
                                         project.last_serial)
        return _document_response(
            request, key, project.last_serial, ReleaseDocumentSerializer,
            lambda: documents.release_document(project, release),
        )
