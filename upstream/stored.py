"""Cached upstream files: the objects under package storage's upstream/ folder and their
UpstreamFile rows, kept in step. What is cached per upstream and per project, purging a
project, evicting files (upstream/retention.py), and the last-downloaded mark.

Rows go first. A purge or an eviction deletes the rows and, in the same transaction, queues an
outbox message that deletes their objects once committed (retried by the periodic relay when the
process dies before it ran); only objects that no row refers to by then are deleted. A first
download stores the object, then writes its row (upstream/streaming.py); an object whose row
never came is found by the storage sweep, which asks referenced_paths() (settings.
STORAGE_FOLDER_OWNERS) and deletes it after ORPHAN_GRACE_SECONDS. So, even when a process is
killed midway, no row is left without its object and no object without a row past the grace.

A file counts as stored when its row exists (is_stored), never because its object does: an
object a killed process left half-written has no row, so it is never served, and the next
fetch replaces it. A marker in the shared cache remembers a row seen, so a download of a stored
file asks neither the database nor the storage (a HEAD request on S3); evictions drop it.
"""

import functools
import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, Min, Sum
from django.utils import timezone

import outbox
from core import rawsql
from packages.storage import package_storage

from . import indexes, pages
from .models import UpstreamFile, UpstreamProject
from .upsert import upsert

FOLDER = "upstream"  # upstream/files.py storage_path() puts every cached object under it
BATCH = 500  # rows evicted per transaction (and paths per outbox message)
TOUCH_SECONDS = 24 * 3600  # last_downloaded_at moves at most this often per file
# How long a process may take a file for stored without asking the database again. Evictions
# drop the marker (in every process with a shared cache; with a per-process one, only here).
STORED_MARK_SECONDS = 600
ROW_FIELDS = ("normalized_name", "upstream", "filename", "sha256", "size", "is_metadata")


@dataclass
class Totals:
    files: int = 0
    bytes: int = 0

    def add(self, other):
        self.files += other.files
        self.bytes += other.bytes


def _in_folder(path):
    return path.startswith(FOLDER + "/")


def _marker(prefix, path):
    return prefix + hashlib.blake2b(path.encode(), digest_size=16).hexdigest()


def _stored_key(path):
    return _marker("upstream:stored:", path)


@functools.cache
def _row_sql():
    return f"SELECT 1 FROM {rawsql.table(UpstreamFile)} WHERE {rawsql.column(UpstreamFile, 'path')} = %s"


def seen_stored(path):
    """Whether the cache remembers a row of the file (no query): a hint, for work to skip."""
    return bool(cache.get(_stored_key(path)))


def is_stored(path):
    """Whether the file at `path` is stored whole: its row exists (written after the object).
    Plain SQL (core/rawsql.py): every first download asks, twice."""
    if seen_stored(path):
        return True
    if rawsql.fetch_one(_row_sql(), [path]) is not None:
        cache.set(_stored_key(path), 1, STORED_MARK_SECONDS)
        return True
    return False


def save_row(path, **fields):
    """The row of an object just stored (its bytes checked), in one statement (stored_at and
    last_downloaded_at kept when it existed). From now on the file is served."""
    upsert(UpstreamFile(path=path, **fields), "path", ROW_FIELDS)
    cache.set(_stored_key(path), 1, STORED_MARK_SECONDS)


def _forget(paths):
    cache.delete_many([_stored_key(path) for path in paths])


def referenced_paths(paths):
    """The paths among `paths` (all under upstream/) that a row refers to: the storage sweep
    (packages/orphans.py) deletes the others once they are older than the grace period."""
    return set(UpstreamFile.objects.filter(path__in=list(paths)).values_list("path", flat=True))


def delete_unreferenced(paths):
    """Delete these cached objects unless a row refers to them by now (a first download that ran
    after the eviction stored the file again). The outbox handler of purges and evictions; never
    a path outside upstream/, so a local distribution file is never deleted here."""
    storage = package_storage()
    paths = [p for p in paths if _in_folder(p)]
    kept = referenced_paths(paths)
    for path in paths:
        if path not in kept and storage.exists(path):
            storage.delete(path)


def evict(rows):
    """Delete these UpstreamFile rows (a queryset) and, after commit, their objects. Returns the
    Totals evicted. Batched: each transaction deletes at most BATCH rows and queues one message."""
    evicted = Totals()
    while True:
        with transaction.atomic():
            batch = list(rows.order_by("pk").select_for_update().values_list("pk", "path", "size")[:BATCH])
            if not batch:
                return evicted
            deleted, _ = UpstreamFile.objects.filter(pk__in=[pk for pk, _, _ in batch]).delete()
            paths = [path for _, path, _ in batch]
            # Once committed: no longer taken for stored, before the objects go (the outbox's turn).
            transaction.on_commit(lambda paths=paths: _forget(paths))
            outbox.enqueue(delete_unreferenced, paths)
        evicted.add(Totals(deleted, sum(size for _, _, size in batch)))


def purge_project(normalized_name):
    """Remove the project's cached files (rows, then objects) and expire its cached page, so the
    next request asks the upstream again. The UpstreamProject row stays: it is the name's claim
    against local uploads (README "Upstream indexes"), and the last copy while upstreams are down."""
    purged = evict(UpstreamFile.objects.filter(normalized_name=normalized_name))
    pages.expire(normalized_name)
    return purged


def refresh_project(normalized_name):
    """Ask the upstreams for the project's page now (revalidated with its ETag): the Page, None
    when no upstream knows it any more; pages.Unavailable when they failed (the last copy stays)."""
    pages.expire(normalized_name)
    page = pages.lookup(normalized_name)
    if page is not None and page.stale_reason:  # the last copy, served as stale: not refreshed
        raise pages.Unavailable(page.stale_reason, timeout=False)
    return page


def touch(path):
    """A cached file was downloaded: move its last_downloaded_at, at most once a TOUCH_SECONDS
    per file (a marker in the shared cache says it was done; no database work otherwise)."""
    if cache.add(_marker("upstream:touched:", path), 1, TOUCH_SECONDS):
        now = timezone.now()
        UpstreamFile.objects.filter(path=path, last_downloaded_at__lt=now - timedelta(seconds=TOUCH_SECONDS)).update(
            last_downloaded_at=now
        )


@dataclass
class UpstreamSummary:
    upstream: str
    configured: bool
    projects: int = 0  # names whose page came from this upstream
    files: int = 0
    bytes: int = 0
    last_download: object = None


def summary():
    """What is cached, per upstream: every configured one (in priority order), then any that is
    no longer configured but still has cached pages or files. Three grouped queries."""
    by_name = {u.name: UpstreamSummary(u.name, True) for u in indexes.configured()}

    def row(name):
        return by_name.setdefault(name, UpstreamSummary(name, False))

    cached_pages = UpstreamProject.objects.filter(is_miss=False).values("upstream").annotate(n=Count("pk"))
    for entry in cached_pages.order_by():
        row(entry["upstream"]).projects = entry["n"]
    cached = UpstreamFile.objects.values("upstream").annotate(
        n=Count("pk"), size=Sum("size"), last=Max("last_downloaded_at")
    )
    for entry in cached.order_by():
        item = row(entry["upstream"])
        item.files, item.bytes, item.last_download = entry["n"], entry["size"] or 0, entry["last"]
    return list(by_name.values())


def misses():
    return UpstreamProject.objects.filter(is_miss=True).count()


@dataclass
class ProjectCache:
    normalized_name: str
    upstream: str
    fetched_at: object
    files: int
    bytes: int
    oldest_download: object
    last_download: object


def projects(upstream=None, names=None):
    """Per cached project (not misses): its page's upstream and age, its cached files and bytes.
    Two grouped queries, however many projects."""
    cached_pages = UpstreamProject.objects.filter(is_miss=False)
    cached = UpstreamFile.objects.all()
    if upstream:
        cached_pages, cached = cached_pages.filter(upstream=upstream), cached.filter(upstream=upstream)
    if names:
        cached_pages, cached = cached_pages.filter(normalized_name__in=names), cached.filter(normalized_name__in=names)
    per_name = {
        entry["normalized_name"]: entry
        for entry in cached.values("normalized_name")
        .annotate(n=Count("pk"), size=Sum("size"), oldest=Min("last_downloaded_at"), last=Max("last_downloaded_at"))
        .order_by()
    }
    result = []
    for name, source, fetched_at in cached_pages.values_list("normalized_name", "upstream", "fetched_at"):
        entry = per_name.get(name, {})
        result.append(
            ProjectCache(
                name,
                source,
                fetched_at,
                entry.get("n", 0),
                entry.get("size") or 0,
                entry.get("oldest"),
                entry.get("last"),
            )
        )
    return result
