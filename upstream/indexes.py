"""The upstreams to ask, in order: settings.UPSTREAM_INDEX_URL first, then the enabled admin rows."""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from .models import UpstreamIndex

ENV_UPSTREAM_NAME = "env"  # the name UPSTREAM_INDEX_URL's upstream goes by in file URLs
ENABLED_KEY = "upstream:any-enabled"
ENABLED_SECONDS = 60  # another process's cache (local memory) learns of an admin change this late


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


def any_configured():
    """Whether any upstream is configured, without a query on most calls: asked for every name
    that is not local. The admin rows' answer is kept in the cache; a change forgets it (in this
    process's cache, and in the shared one)."""
    if settings.UPSTREAM_INDEX_URL:
        return True
    enabled = cache.get(ENABLED_KEY)
    if enabled is None:
        enabled = UpstreamIndex.objects.filter(enabled=True).exists()
        cache.set(ENABLED_KEY, enabled, ENABLED_SECONDS)
    return enabled


def forget_enabled(**kwargs):
    """post_save / post_delete of UpstreamIndex (connected in apps.py)."""
    cache.delete(ENABLED_KEY)
