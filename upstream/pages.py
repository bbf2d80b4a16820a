"""Upstream project pages: looked up in priority order, cached (Django cache + a database row that
survives restarts), served stale when every upstream fails, misses remembered for a while.

Callers apply the dependency-confusion rule first (api/simple/views.py): this module is only
asked about names that no local project holds and staff did not prohibit.
"""

import functools
import logging
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from accounts.throttles import throttle
from core import metrics, rawsql

from . import fetch, indexes, listing
from .models import UpstreamProject
from .upsert import upsert

log = logging.getLogger(__name__)
# The names this process asks the upstreams about now: name -> Event set once the answer is saved.
_asking = {}
_asking_guard = threading.Lock()
# How often a lookup waiting for another process's answer looks for it in the shared cache.
ASKING_POLL_SECONDS = 0.005


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


@functools.cache
def _row_sql():
    where = rawsql.column(UpstreamProject, "normalized_name", "p")
    return (
        f"SELECT {rawsql.select_all(UpstreamProject, 'p')} FROM {rawsql.table(UpstreamProject, 'p')} WHERE {where} = %s"
    )


def _read_row(normalized_name):
    """The name's row from the database, or None. Plain SQL (core/rawsql.py): every cold page
    reads it, and every download that finds no copy in the cache."""
    values = rawsql.fetch_one(_row_sql(), [normalized_name])
    return None if values is None else rawsql.instance(UpstreamProject, values)


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


@dataclass
class Answer:
    """What the upstreams said of a name: `upstream` None when none knows it; `unchanged` when
    the upstream that gave the cached copy confirmed it (304, or a serial no newer)."""

    upstream: str | None
    files: list = field(default_factory=list)
    versions: list = field(default_factory=list)
    etag: str = ""
    serial: int | None = None
    unchanged: bool = False


def _confirms(row, upstream, answer):
    """Whether a 200 from the upstream of the cached copy says nothing newer: same serial, or an
    older one (a lagging mirror or CDN node must not take the page back in time)."""
    return (
        row is not None
        and not row.is_miss
        and row.upstream == upstream.name
        and answer.serial is not None
        and row.upstream_serial is not None
        and answer.serial <= row.upstream_serial
    )


def _ask_upstreams(upstreams, normalized_name, row):
    """The Answer of the first upstream that knows the name (asking the cached copy's upstream
    conditionally); Unavailable when at least one failed and none answered."""
    deadline = time.monotonic() + settings.UPSTREAM_TIMEOUT_SECONDS
    failure = None
    for upstream in upstreams:
        cached_here = row is not None and not row.is_miss and row.upstream == upstream.name
        try:
            answer = fetch.project_page(upstream, normalized_name, deadline, etag=row.etag if cached_here else "")
        except fetch.NotModified:
            return Answer(upstream.name, unchanged=True)
        except fetch.NotFound:
            continue
        except fetch.UpstreamError as exc:
            log.warning("upstream page %s from %s failed: %s", normalized_name, upstream.name, exc)
            failure = failure or exc
            continue
        if _confirms(row, upstream, answer):
            return Answer(upstream.name, etag=answer.etag or row.etag, serial=row.upstream_serial, unchanged=True)
        files = _file_rows(answer.page)
        versions = answer.page.versions or sorted({f["version"] for f in files})
        return Answer(upstream.name, files, list(versions), answer.etag, answer.serial)
    if failure is not None:
        raise Unavailable(str(failure), failure.timeout)
    return Answer(None)


def _answer(row, stale_reason=""):
    if row.is_miss:
        return None
    if stale_reason:
        metrics.upstream_stale_page(row.upstream)
    return Page(row, stale_reason)


def lookup(normalized_name, client=None):
    """The Page for an upstream name; None when no upstream knows it (a miss) or none is
    configured (then nothing is fetched and no row written); Unavailable when the upstreams
    failed and nothing was cached; Throttled when `client` (a throttle key) asked the upstreams
    about too many names already. A cached page older than UPSTREAM_CACHE_SECONDS is
    revalidated (If-None-Match, X-PyPI-Last-Serial); the last copy is served when that fails."""
    row = cache.get(_cache_key(normalized_name))
    if row is not None:
        metrics.upstream_cache(fetch.PAGE, "hit")
        return _answer(row)
    upstreams = indexes.configured()
    if not upstreams:
        return None
    row = _read_row(normalized_name)
    if row is not None and _fresh(row):
        metrics.upstream_cache(fetch.PAGE, "hit")
        _remember(row)
        return _answer(row)
    with _one_asker(normalized_name) as first:
        if not first:  # another thread or process asked meanwhile (a fetch ahead, upstream/ahead.py)
            row = cache.get(_cache_key(normalized_name)) or _read_row(normalized_name)
            if row is not None and _fresh(row):
                metrics.upstream_cache(fetch.PAGE, "hit")
                _remember(row)
                return _answer(row)
        return _refresh(normalized_name, row, upstreams, client)


def _asking_key(normalized_name):
    return f"upstream:asking:{normalized_name}"


@contextmanager
def _one_asker(normalized_name):
    """True for the one thread that asks the upstreams about the name now: of this process (an
    Event wakes its waiters at once), and of every process sharing the cache (a lock there; their
    waiters look for the answer in the cache every ASKING_POLL_SECONDS). The others wait for it,
    up to UPSTREAM_TIMEOUT_SECONDS, and get False."""
    with _asking_guard:
        other = _asking.get(normalized_name)
        if other is None:
            mine = _asking[normalized_name] = threading.Event()
    if other is not None:
        other.wait(settings.UPSTREAM_TIMEOUT_SECONDS)
        yield False
        return
    token = uuid.uuid4().hex
    try:
        if cache.add(_asking_key(normalized_name), token, settings.UPSTREAM_TIMEOUT_SECONDS + 1):
            try:
                yield True
            finally:
                if cache.get(_asking_key(normalized_name)) == token:
                    cache.delete(_asking_key(normalized_name))
        else:
            _wait_for_asker(normalized_name)
            yield False
    finally:
        with _asking_guard:
            del _asking[normalized_name]
        mine.set()


def _wait_for_asker(normalized_name):
    """Until another process's answer is in the cache, its lock is gone, or the time is up."""
    deadline = time.monotonic() + settings.UPSTREAM_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(ASKING_POLL_SECONDS)
        if cache.get(_cache_key(normalized_name)) is not None or cache.get(_asking_key(normalized_name)) is None:
            return


def _refresh(normalized_name, row, upstreams, client):
    """lookup()'s answer when the cached copy (`row`, or None) is not fresh: the upstreams'."""
    if client is not None:
        lookups = throttle("upstream-lookup", settings.UPSTREAM_LOOKUP_RATE)
        if lookups.hit(client):
            if row is not None:  # the last copy rather than nothing
                return _answer(row, stale_reason="upstream lookup limit reached")
            raise Throttled(lookups.retry_after())
    try:
        answer = _ask_upstreams(upstreams, normalized_name, row)
    except Unavailable as exc:
        if row is not None and not row.is_miss:
            return _answer(row, stale_reason=str(exc))
        raise
    if answer.unchanged:
        metrics.upstream_cache(fetch.PAGE, "revalidated")
        row.fetched_at, row.etag = timezone.now(), answer.etag or row.etag
        UpstreamProject.objects.filter(pk=row.pk).update(fetched_at=row.fetched_at, etag=row.etag)
        _remember(row)
        return _answer(row)
    metrics.upstream_cache(fetch.PAGE, "miss")
    if answer.upstream is None and row is not None and not row.is_miss:
        # The upstream dropped the name: keep the last copy's files (and the name's claim).
        answer = Answer(row.upstream, row.files, row.versions, row.etag, row.upstream_serial)
    row = _save(normalized_name, row, answer)
    _remember(row)
    return _answer(row)


def _save(normalized_name, row, answer):
    """Write the upstreams' answer to the name's row: one statement (an UPDATE of the row read
    before asking, else an INSERT … ON CONFLICT UPDATE), listed_at set when the name is first
    served (upstream/listing.py). The row as written."""
    fields = {
        "upstream": answer.upstream or "",
        "is_miss": answer.upstream is None,
        "files": answer.files,
        "versions": answer.versions,
        "etag": answer.etag,
        "upstream_serial": answer.serial,
        "fetched_at": timezone.now(),
    }
    first_listed = not fields["is_miss"] and (row is None or row.listed_at is None)
    if first_listed:
        fields["listed_at"] = fields["fetched_at"]
    if row is not None:
        for name, value in fields.items():
            setattr(row, name, value)
        written = UpstreamProject.objects.filter(pk=row.pk).update(**fields)
    if row is None or not written:  # none yet (or deleted since it was read)
        row = upsert(UpstreamProject(normalized_name=normalized_name, **fields), "normalized_name", tuple(fields))
    if first_listed:
        listing.moved(row.listed_at)  # /simple/ lists it from now
    return row


def _remember(row):
    ttl = settings.UPSTREAM_MISS_SECONDS if row.is_miss else settings.UPSTREAM_CACHE_SECONDS
    remaining = ttl - (timezone.now() - row.fetched_at).total_seconds()
    if remaining > 1:
        cache.set(_cache_key(row.normalized_name), row, int(remaining))


def upstream_claims(normalized_name):
    """The rows that keep a local upload from creating this name (api/upload/project_names.py):
    an upstream's project was cached under it and staff have not released it."""
    return UpstreamProject.objects.filter(normalized_name=normalized_name, is_miss=False, released_for_local=False)


def expire(normalized_name):
    """Make the cached copy stale, so the next lookup asks the upstreams (revalidating with its
    ETag). The row stays: the name's claim, and the last copy while the upstreams are down."""
    cache.delete(_cache_key(normalized_name))
    stale = timezone.now() - timedelta(seconds=max(settings.UPSTREAM_CACHE_SECONDS, settings.UPSTREAM_MISS_SECONDS) + 1)
    UpstreamProject.objects.filter(normalized_name=normalized_name, fetched_at__gt=stale).update(fetched_at=stale)


def save_info(row, info):
    """Keep the upstream's JSON API info on the row (upstream/documents.py), in the database and
    in the cached copy."""
    row.info, row.info_fetched_at = info, timezone.now()
    UpstreamProject.objects.filter(pk=row.pk).update(info=row.info, info_fetched_at=row.info_fetched_at)
    if cache.get(_cache_key(row.normalized_name)) is not None:
        _remember(row)


def stored_row(normalized_name):
    """The cached page's row, for a download (no upstream is asked): from the cache, else from
    the database (then kept in the cache while fresh). None for a miss or a name never seen."""
    row = cache.get(_cache_key(normalized_name))
    if row is None:
        row = _read_row(normalized_name)
        if row is not None and _fresh(row):
            _remember(row)
    return None if row is None or row.is_miss else row
