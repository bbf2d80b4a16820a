"""The upstreams to ask, in order: settings.UPSTREAM_INDEX_URL first, then the enabled admin rows."""

from dataclasses import dataclass

from django.conf import settings

from .models import UpstreamIndex

ENV_UPSTREAM_NAME = "env"  # the name UPSTREAM_INDEX_URL's upstream goes by in file URLs


@dataclass(frozen=True)
class Upstream:
    name: str
    url: str  # the simple API base, ending in "/"
    username: str = ""
    password: str = ""


def _base(url):
    return url if url.endswith("/") else url + "/"


def configured():
    """Every upstream to ask, in priority order (empty: the index proxies nothing)."""
    upstreams = []
    if settings.UPSTREAM_INDEX_URL:
        upstreams.append(Upstream(ENV_UPSTREAM_NAME, _base(settings.UPSTREAM_INDEX_URL)))
    upstreams.extend(
        Upstream(row.name, _base(row.url), row.username, row.password)
        for row in UpstreamIndex.objects.filter(enabled=True).order_by("priority", "name")
    )
    return upstreams


def by_name(name):
    return next((u for u in configured() if u.name == name), None)
