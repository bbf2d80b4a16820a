"""JSON API URLs. pypi.org answers with and without the trailing slash; the OpenAPI
description lists only the canonical (slash-less) paths."""

from django.urls import path

from . import views

canonical = [
    path("pypi/<str:name>/json", views.ProjectView.as_view(), name="json_project"),
    path("pypi/<str:name>/<str:version>/json", views.ReleaseView.as_view(), name="json_release"),
]
urlpatterns = canonical + [
    path("pypi/<str:name>/json/", views.ProjectView.as_view()),
    path("pypi/<str:name>/<str:version>/json/", views.ReleaseView.as_view()),
]


class SchemaURLConf:
    """The URLconf drf-spectacular describes."""

    urlpatterns = canonical


def canonical_paths_only(endpoints, **kwargs):
    """drf-spectacular preprocessing hook: the schema (and `check --deploy`, which generates it from
    the whole URLconf) sees only the canonical paths, not their trailing-slash twins."""
    return [endpoint for endpoint in endpoints if not endpoint[0].endswith("/json/")]
