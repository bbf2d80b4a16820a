"""Upstream project pages: looked up in priority order, cached (Django cache + a database row that
survives restarts), served stale when every upstream fails, misses remembered for a while.

Callers apply the dependency-confusion rule first (api/simple/views.py): this module is only
asked about names that no local project holds and staff did not prohibit.
"""

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from accounts.throttles import throttle

from . import fetch, indexes
from .models import UpstreamProject

log = logging.getLogger(__name__)


@dataclass
class Page:
    row: UpstreamProject
    stale_reason: str = ""  # non-empty: every upstream failed and this is the last copy


class Throttled(Exception):
    """This client asked the upstreams about too many uncached names (UPSTREAM_LOOKUP_RATE)."""

    def __init__(self, retry_after):
        super().__init__(f"Too many upstream lookups: retry in {retry_after} seconds.")
        self.retry_after = retry_after


class Unavailable(Exception):
    def __init__(self, message, timeout):
        super().__init__(message)
        self.timeout = timeout


def _cache_key(normalized_name):
    return f"upstream:page:{normalized_name}"


def _fresh(row):
    ttl = settings.UPSTREAM_MISS_SECONDS if row.is_miss else settings.UPSTREAM_CACHE_SECONDS
    return timezone.now() - row.fetched_at < timedelta(seconds=ttl)


def _file_rows(page):
    rows = []
    for package in page.packages:
        sha256 = (package.digests or {}).get("sha256")
        if not sha256 or package.version is None:
            continue  # nothing to check its bytes against, or no version to offer: not offered
        metadata = (package.metadata_digests or {}).get("sha256") if package.has_metadata else None
        rows.append(
            {
                "filename": package.filename,
                "version": package.version,
                "upstream_url": package.url,
                "sha256": sha256.lower(),
                "requires_python": package.requires_python or "",
                "yanked": package.is_yanked,
                "yanked_reason": package.yanked_reason or "",
                "metadata_sha256": metadata.lower() if metadata else "",
                "size": package.size,
                "upload_time": package.upload_time.isoformat() if package.upload_time else None,
            }
        )
    return rows


def _ask_upstreams(upstreams, normalized_name):
    """(upstream name, files, versions), or (None, ...) when none knows it; Unavailable when at
    least one failed and none answered."""
    deadline = time.monotonic() + settings.UPSTREAM_TIMEOUT_SECONDS
    failure = None
    for upstream in upstreams:
        try:
            page = fetch.project_page(upstream, normalized_name, deadline)
        except fetch.NotFound:
            continue
        except fetch.UpstreamError as exc:
            log.warning("upstream page %s from %s failed: %s", normalized_name, upstream.name, exc)
            failure = failure or exc
            continue
        files = _file_rows(page)
        versions = page.versions or sorted({f["version"] for f in files})
        return upstream.name, files, list(versions)
    if failure is not None:
        raise Unavailable(str(failure), failure.timeout)
    return None, [], []


def lookup(normalized_name, client=None):
    """The Page for an upstream name; None when no upstream knows it (a miss) or none is
    configured (then nothing is fetched and no row written); Unavailable when the upstreams
    failed and nothing was cached; Throttled when `client` (a throttle key) asked the upstreams
    about too many names already."""
    row = cache.get(_cache_key(normalized_name))
    if row is not None:
        return None if row.is_miss else Page(row)
    upstreams = indexes.configured()
    if not upstreams:
        return None
    row = UpstreamProject.objects.filter(normalized_name=normalized_name).first()
    if row is not None and _fresh(row):
        _remember(row)
        return None if row.is_miss else Page(row)
    if client is not None:
        lookups = throttle("upstream-lookup", settings.UPSTREAM_LOOKUP_RATE)
        if lookups.hit(client):
            if row is not None:  # the last copy rather than nothing
                return None if row.is_miss else Page(row, stale_reason="upstream lookup limit reached")
            raise Throttled(lookups.retry_after())
    try:
        name, files, versions = _ask_upstreams(upstreams, normalized_name)
    except Unavailable as exc:
        if row is not None and not row.is_miss:
            return Page(row, stale_reason=str(exc))
        raise
    if name is None and row is not None and not row.is_miss:
        # The upstream dropped the name: keep the last copy's files (and the name's claim).
        name, files, versions = row.upstream, row.files, row.versions
    row, _ = UpstreamProject.objects.update_or_create(
        normalized_name=normalized_name,
        defaults={
            "upstream": name or "",
            "is_miss": name is None,
            "files": files,
            "versions": versions,
            "fetched_at": timezone.now(),
        },
    )
    _remember(row)
    return None if row.is_miss else Page(row)


def _remember(row):
    ttl = settings.UPSTREAM_MISS_SECONDS if row.is_miss else settings.UPSTREAM_CACHE_SECONDS
    remaining = ttl - (timezone.now() - row.fetched_at).total_seconds()
    if remaining > 1:
        cache.set(_cache_key(row.normalized_name), row, int(remaining))


def upstream_claims(normalized_name):
    """The rows that keep a local upload from creating this name (api/upload/project_names.py):
    an upstream's project was cached under it and staff have not released it."""
    return UpstreamProject.objects.filter(normalized_name=normalized_name, is_miss=False, released_for_local=False)
