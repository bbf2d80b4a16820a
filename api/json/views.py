"""JSON API views: thin wrappers that find the project and describe its document; api/cached.py
serves it from the page cache (rendered once per serial, like simple pages) with the headers
mirrors rely on (X-PyPI-Last-Serial, ETag, CORS, Cache-Control)."""

from django.http import JsonResponse
from django.utils.decorators import method_decorator
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from accounts.readers import reader_for
from packages.canonical import redirect_to_normalized_name
from packages.lookups import public_project
from stats.services import generation as downloads_generation
from upstream import rule as upstream_rule
from upstream import views as upstream_views

from .. import pagecache
from ..cached import Document, cached_api
from . import documents
from .serializers import ProjectDocumentSerializer, ReleaseDocumentSerializer

# pypi.org lets its CDN keep these 15 minutes and purges on change; nothing purges them here,
# so no front cache keeps them and a mirror never sees a stale serial.
json_api = method_decorator(cached_api(vary="Accept-Encoding", edge_cache=False, json_errors=True))
# The ETag's kind: every change moves the project's serial (usernames in "ownership" too).
ETAG_KIND = "pypi-json"


def _not_found(message="Not Found"):
    return JsonResponse({"message": message}, status=404)


def _document(request, project, key, serial, serializer_class, build_document):
    """The document under `key`, rendered by `build_document()` only when this serial's body
    isn't cached yet; a matching If-None-Match costs no rendering at all. `info.downloads`
    changes without the serial, so the body and the ETag also follow the download counts."""
    counted = downloads_generation()

    def render():
        return JSONRenderer().render(serializer_class(build_document(), context={"request": request}).data)

    return Document(
        f"{key}:d{counted}", serial, f"{ETAG_KIND}-d{counted}", "application/json", render, private=project.is_private
    )


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
    @json_api
    @method_decorator(redirect_to_normalized_name("json_project"))
    def get(self, request, name):
        project = public_project(name, reader_for(request))
        if project is None and upstream_rule.may_proxy(name):  # the dependency-confusion rule first
            return upstream_views.json_document(request, name)
        if project is None or not documents.has_release(project):
            return _not_found()
        key = pagecache.json_project_key(_base_url(request), project.normalized_name, project.last_serial)
        return _document(
            request,
            project,
            key,
            project.last_serial,
            ProjectDocumentSerializer,
            lambda: documents.project_document(project),
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
    @json_api
    @method_decorator(redirect_to_normalized_name("json_release"))
    def get(self, request, name, version):
        project = public_project(name, reader_for(request))
        if project is None and upstream_rule.may_proxy(name):
            return upstream_views.json_document(request, name, version)
        release = project and documents.find_release(project, version)
        if release is None:
            return _not_found()
        key = pagecache.json_release_key(
            _base_url(request), project.normalized_name, release.version, project.last_serial
        )
        return _document(
            request,
            project,
            key,
            project.last_serial,
            ReleaseDocumentSerializer,
            lambda: documents.release_document(project, release),
        )
