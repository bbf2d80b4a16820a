"""JSON API views: thin wrappers that find the project, render the document and add the headers
mirrors rely on (X-PyPI-Last-Serial, ETag, CORS, Cache-Control)."""
import hashlib

from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from packages.names import normalize_name

from . import documents
from .serializers import ProjectDocumentSerializer, ReleaseDocumentSerializer

# pypi.org lets its CDN keep these 15 minutes and purges on change; nothing purges them here,
# so caches revalidate each time (ETag makes that a 304) and a mirror never sees a stale serial.
CACHE_CONTROL = "public, max-age=0, must-revalidate"


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


def _document_response(request, serializer_class, document):
    body = JSONRenderer().render(serializer_class(document, context={"request": request}).data)
    # A hash of the body (not only the serial): renames and role changes show up too.
    etag = '"%s"' % hashlib.sha256(body).hexdigest()[:32]
    if etag in request.META.get("HTTP_IF_NONE_MATCH", ""):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["X-PyPI-Last-Serial"] = str(document.last_serial)
    response["Cache-Control"] = CACHE_CONTROL
    response["Vary"] = "Accept-Encoding"
    return _cors(response)


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
        document = project and documents.project_document(project)
        if document is None:
            return _not_found()
        return _document_response(request, ProjectDocumentSerializer, document)


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
        return _document_response(request, ReleaseDocumentSerializer, documents.release_document(project, release))
