"""A URLconf with one view that crashes, for the 500 page test."""

from django.urls import path

from pypiapp.urls import handler500  # noqa: F401  (Django reads it from this module)


def crash(request):
    raise RuntimeError("boom")


urlpatterns = [path("crash/", crash)]
