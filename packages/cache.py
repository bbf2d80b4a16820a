"""Purging a front cache (nginx proxy_cache, a CDN) when a project changes.

Django's own page cache needs no purge: it is keyed by serial. A front cache that holds
simple pages for EDGE_CACHE_SECONDS cannot know the serial moved, so after the change
commits, each URL in EDGE_PURGE_URLS is sent a PURGE for the project's page and the root,
once per representation the front cache keys separately (see deploy/nginx.conf).
The front cache also keeps Django's "this file may be served" answers; files that stop
being servable (quarantine, deletion) have their URLs purged the same way.
The purges of a change are an outbox message written in the change's transaction (one per
transaction, however many journal entries it writes) and sent once it commits; a purge that
fails is retried by the outbox until the front cache answers.
"""

import http.client
import logging
from urllib.parse import quote, urlsplit

from django.conf import settings

import outbox

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
    """PURGE simple pages, each in every representation the front cache keeps. Logs failures;
    returns whether every front cache answered."""
    return _send_purges([purge for path in paths for purge in _page_purges(path)])


def purge_file_urls(url_paths):
    """PURGE the front cache's answers for these file URLs (one entry each)."""
    return _send_purges([(path, {}) for path in url_paths])


def _send_purges(purges):
    ok = True
    for base in settings.EDGE_PURGE_URLS:
        parts = urlsplit(base)
        conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=2)
        try:
            for path, headers in purges:
                conn.request("PURGE", quote(parts.path.rstrip("/") + path), headers=headers)
                conn.getresponse().read()  # 200 purged, 412/404 nothing cached: both fine
        except (OSError, ValueError, http.client.HTTPException) as exc:
            ok = False
            logger.warning("Purging %s from %s failed: %s", [path for path, _ in purges], base, exc)
        finally:
            conn.close()
    return ok


class PurgeFailed(Exception):
    pass


def deliver_project_purges(names):
    """Outbox handler: purge /simple/<name>/ for each name, and /simple/; raise to be retried."""
    if not purge_paths([f"/simple/{name}/" for name in names] + ["/simple/"]):
        raise PurgeFailed("a front cache did not answer")


def deliver_file_purges(url_paths):
    """Outbox handler: purge these file URLs; raise to be retried."""
    if not purge_file_urls(url_paths):
        raise PurgeFailed("a front cache did not answer")


def purge_project_on_commit(normalized_name):
    """Purge /simple/<name>/ and /simple/ after the current transaction commits (one outbox
    message per transaction for all its projects)."""
    if settings.EDGE_PURGE_URLS:
        outbox.enqueue_merged(deliver_project_purges, "purge-projects", [normalized_name])


def purge_files_on_commit(storage_paths):
    """After the current transaction commits, purge the URLs of these stored files (distribution
    and metadata paths, as File.path and File.metadata_path hold them)."""
    if not settings.EDGE_PURGE_URLS or not storage_paths:
        return
    outbox.enqueue_merged(deliver_file_purges, "purge-files", [file_url_path(path) for path in storage_paths])
