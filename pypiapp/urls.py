"""Root URLconf: each app keeps its own urls.py; this file only mounts them."""
from django.contrib import admin
from django.urls import include, path

from accounts import urls as accounts_urls

# A database that cannot be reached answers 503 (plain text, JSON or HTML), anything else Django's 500.
handler500 = "core.errors.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("account/", include(accounts_urls.allauth_overrides)),
    path("account/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("api.urls")),
    path("", include("packages.urls")),
]
