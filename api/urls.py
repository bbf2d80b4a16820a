"""Machine-facing URLs: simple index, file downloads and the legacy upload endpoint."""
from django.urls import include, path, re_path
from django.views.generic.base import RedirectView
from drf_spectacular.views import SpectacularJSONAPIView

from .files import views as file_views
from .json.urls import SchemaURLConf
from .simple import views as simple_views
from .upload import views as upload_views
from .xmlrpc import views as xmlrpc_views

urlpatterns = [
    path("simple/", simple_views.index, name="simple_index"),
    path("simple/<str:name>/", simple_views.detail, name="simple_detail"),
    re_path(r"^packages/(?P<path>[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{60}/[^/]+)$", file_views.download, name="file_download"),
    path("legacy/", upload_views.upload, name="legacy_upload"),
    path("legacy/help/", upload_views.rules, name="upload_rules"),
    path("legacy", RedirectView.as_view(url="/legacy/", permanent=True, query_string=True)),
    # JSON API, its OpenAPI description, and XML-RPC (POST /pypi).
    path("", include("api.json.urls")),
    path("pypi/openapi.json", SpectacularJSONAPIView.as_view(urlconf=SchemaURLConf), name="json_api_openapi"),
    path("pypi", xmlrpc_views.endpoint, name="xmlrpc"),
    path("pypi/", xmlrpc_views.endpoint),
]
