"""Root URLconf: each app keeps its own urls.py; this file only mounts them."""
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("account/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("api.urls")),
    path("", include("packages.urls")),
]
