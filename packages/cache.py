"""Purging a front cache (nginx proxy_cache, a CDN) when a project changes.

Django's own page cache needs no purge: it is keyed by serial. A front cache that holds
simple pages for EDGE_CACHE_SECONDS cannot know the serial moved, so after the change
commits, each URL in EDGE_PURGE_URLS is sent a PURGE for the project's page and the root,
once per representation the front cache keys separately (see deploy/nginx.conf).
The front cache also keeps Django's "this file may be served" answers; files that stop
being servable (quarantine, deletion) have their URLs purged the same way.
A failed purge is logged, never raised: the change itself has already committed.
"""
import http.client
import logging
import threading
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.db import transaction

from .storage import file_url_path

logger = logging.getLogger(__name__)

# The Accept headers the front cache keys pages by (html and PEP 691 json).
PURGE_VARIANTS = ("text/html", "application/vnd.pypi.simple.v1+json")
# ...and by whether the client takes gzip.
PURGE_ENCODINGS = ("identity", "gzip")


def _page_purges(path):
    for accept in PURGE_VARIANTS:
        for encoding in PURGE_ENCODINGS:
            yield path, {"Accept": accept, "Accept-Encoding": encoding}


def purge_paths(paths):
    """PURGE simple pages, each in every representation the front cache keeps."""
    _send_purges([purge for path in paths for purge in _page_purges(path)])


def purge_file_urls(url_paths):
    """PURGE the front cache's answers for these file URLs (one entry each)."""
    _send_purges([(path, {}) for path in url_paths])


def _send_purges(purges):
    for base in settings.EDGE_PURGE_URLS:
        parts = urlsplit(base)
        conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=2)
        try:
            for path, headers in purges:
                conn.request("PURGE", quote(parts.path.rstrip("/") + path), headers=headers)
                conn.getresponse().read()  # 200 purged, 412/404 nothing cached: both fine
        except (OSError, ValueError, http.client.HTTPException) as exc:
            logger.warning("Purging %s from %s failed: %s", [path for path, _ in purges], base, exc)
        finally:
            conn.close()


# Projects changed in this thread's current transaction: one change writes several journal
# entries (create, add Owner, new release, add file), and the front cache needs one purge.
_pending = threading.local()


def purge_project_on_commit(normalized_name):
    """Schedule a purge of /simple/<name>/ and /simple/ for after the current transaction."""
    if not settings.EDGE_PURGE_URLS:
        return
    names = getattr(_pending, "names", None)
    if names is None:
        names = _pending.names = set()
    names.add(normalized_name)
    transaction.on_commit(_purge_pending)


def _purge_pending():
    """The first callback of a commit purges every pending project; the others find none.

    Names left by a rolled-back transaction go out with the next purge: a purge is harmless."""
    names = getattr(_pending, "names", None)
    if not names:
        return
    _pending.names = set()
    purge_paths([f"/simple/{name}/" for name in sorted(names)] + ["/simple/"])


def purge_files_on_commit(storage_paths):
    """After the current transaction commits, purge the URLs of these stored files (distribution
    and metadata paths, as File.path and File.metadata_path hold them)."""
    if not settings.EDGE_PURGE_URLS or not storage_paths:
        return
    url_paths = [file_url_path(path) for path in storage_paths]
    transaction.on_commit(lambda: purge_file_urls(url_paths))
