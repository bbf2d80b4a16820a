"""Machine-facing URLs: simple index, file downloads and the legacy upload endpoint."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularJSONAPIView

from core.readonly import read_only
from packages.storage import FILES_URL_PREFIX
from upstream import views as upstream_views

from .files import views as file_views
from .integrity import views as integrity_views
from .json.urls import SchemaURLConf
from .oidc import views as oidc_views
from .simple import views as simple_views
from .upload import views as upload_views
from .xmlrpc import views as xmlrpc_views

urlpatterns = [
    path("simple/", read_only(simple_views.index), name="simple_index"),
    path("simple/<str:name>/", read_only(simple_views.detail), name="simple_detail"),
    re_path(
        rf"^{FILES_URL_PREFIX.lstrip('/')}(?P<path>[0-9a-f]{{2}}/[0-9a-f]{{2}}/[0-9a-f]{{60}}/[^/]+)$",
        file_views.download,
        name="file_download",
    ),
    # Files of upstream projects (upstream/): fetched once, checked, then served from storage.
    path("proxy/<str:name>/<str:sha256>/<str:filename>", upstream_views.download, name="upstream_file"),
    path("legacy/", upload_views.upload, name="legacy_upload"),
    # Upload URLs configured without the slash upload too: a redirect would turn twine's POST
    # into a GET (301) or make the client send the body twice (308).
    path("legacy", upload_views.upload),
    path("legacy/help/", upload_views.help_page, name="upload_rules"),
    path("legacy/<str:name>/<str:version>/", upload_views.release_link, name="upload_release_link"),
    # Trusted Publishing: the OIDC token exchange (at the host root, as the clients expect).
    path("_/oidc/audience", oidc_views.audience, name="oidc_audience"),
    path("_/oidc/mint-token", oidc_views.mint_token, name="oidc_mint_token"),
    path("_/oidc/burn-token", oidc_views.burn, name="oidc_burn_token"),
    path(
        "integrity/<str:name>/<str:version>/<str:filename>/provenance",
        read_only(integrity_views.provenance),
        name="provenance",
    ),
    # JSON API, its OpenAPI description, and XML-RPC (POST /pypi).
    path("", include("api.json.urls")),
    path("pypi/openapi.json", SpectacularJSONAPIView.as_view(urlconf=SchemaURLConf), name="json_api_openapi"),
    path("pypi", xmlrpc_views.endpoint, name="xmlrpc"),
    path("pypi/", xmlrpc_views.endpoint),
]
