"""Root URLconf: each app keeps its own urls.py; this file only mounts them."""

from django.contrib import admin
from django.urls import include, path

from accounts import urls as accounts_urls

urlpatterns = [
    path("", include("ops.urls")),
    path("admin/", admin.site.urls),
    path("account/", include(accounts_urls.allauth_overrides)),
    path("account/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("api.urls")),
    path("", include("oidc.urls")),
    path("", include("upstream.urls")),  # upstream projects' pages, before packages' (upstream/web.py)
    path("", include("packages.urls")),
    path("", include("organizations.urls")),
    path("", include("stats.urls")),
    path("", include("sponsors.urls")),
]

# Error answers for people and for clients (core/errors.py): a database that cannot be reached is
# a 503 there, not a 500; allauth's rate limits use handler429.
handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler429 = "core.errors.too_many_requests"
handler500 = "core.errors.server_error"
