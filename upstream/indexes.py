"""The upstreams to ask, in order: settings.UPSTREAM_INDEX_URL first, then the enabled admin rows."""

import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from .models import UpstreamIndex

ENV_UPSTREAM_NAME = "env"  # the name UPSTREAM_INDEX_URL's upstream goes by in file URLs
# The admin rows are read once per process and generation: a change of a row moves the generation
# in the shared cache (apps.py connects forget_rows), and a process rereads at least this often
# (with a local-memory cache, another process learns of a change only then).
GENERATION_KEY = "upstream:indexes-generation"
ROWS_SECONDS = 60
_rows = {"generation": None, "read_at": 0.0, "upstreams": ()}  # this process's copy (credentials stay here)


@dataclass(frozen=True)
class Upstream:
    name: str
    url: str  # the simple API base, ending in "/"
    username: str = ""
    password: str = ""


def _base(url):
    return url if url.endswith("/") else url + "/"


def _admin_rows():
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(GENERATION_KEY)
    if generation != _rows["generation"] or time.monotonic() - _rows["read_at"] > ROWS_SECONDS:
        upstreams = tuple(
            Upstream(row.name, _base(row.url), row.username, row.password)
            for row in UpstreamIndex.objects.filter(enabled=True).order_by("priority", "name")
        )
        _rows.update(generation=generation, read_at=time.monotonic(), upstreams=upstreams)
    return _rows["upstreams"]


def configured():
    """Every upstream to ask, in priority order (empty: the index proxies nothing). The admin rows
    cost a query once per process and change (or minute), not per call: every proxied request asks."""
    upstreams = []
    if settings.UPSTREAM_INDEX_URL:
        upstreams.append(Upstream(ENV_UPSTREAM_NAME, _base(settings.UPSTREAM_INDEX_URL)))
    upstreams.extend(_admin_rows())
    return upstreams


def by_name(name):
    return next((u for u in configured() if u.name == name), None)


def any_configured():
    """Whether any upstream is configured (asked for every name that is not local)."""
    return bool(configured())


def forget_rows(**kwargs):
    """post_save / post_delete of UpstreamIndex (connected in apps.py): every process rereads."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
