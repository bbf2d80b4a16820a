"""Pages of upstream projects, in front of packages' project pages (upstream/web.py says why)."""

from django.urls import path, re_path

from . import web

urlpatterns = [
    path("project/<str:name>/", web.project_detail),
    # As packages/urls.py: a version contains a digit, so /project/<name>/report/ is never matched.
    re_path(r"^project/(?P<name>[^/]+)/(?P<version>[^/]*[0-9][^/]*)/$", web.release_detail),
]
