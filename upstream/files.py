"""Upstream files: fetched the first time one is asked for, checked against the sha256 the cached
page promised, stored in this index's package storage, then served like local files."""

import hashlib
import logging
import tempfile

from django.conf import settings
from django.core.files import File as DjangoFile

from packages.storage import package_storage

from . import fetch, indexes
from .models import UpstreamProject

log = logging.getLogger(__name__)
METADATA_SUFFIX = ".metadata"
URL_PREFIX = "/proxy/"
_CHUNK = 64 * 1024


class IntegrityFailure(Exception):
    pass


def url_path(normalized_name, sha256, filename):
    return f"{URL_PREFIX}{normalized_name}/{sha256}/{filename}"


def storage_path(sha256, filename):
    return f"upstream/{sha256[:2]}/{sha256[2:4]}/{sha256}/{filename}"


def find(normalized_name, sha256, filename):
    """(upstream name, the page's file entry) for a proxied file, or None."""
    row = UpstreamProject.objects.filter(normalized_name=normalized_name, is_miss=False).first()
    if row is None:
        return None
    entry = next((f for f in row.files if f["sha256"] == sha256 and f["filename"] == filename), None)
    return None if entry is None else (row.upstream, entry)


def ensure_stored(upstream_name, entry, is_metadata):
    """The storage path of the file (or its metadata file), fetching and checking it first if it
    is not stored yet. IntegrityFailure on a digest mismatch (nothing stored); fetch errors pass."""
    expected = entry["metadata_sha256"] if is_metadata else entry["sha256"]
    filename = entry["filename"] + (METADATA_SUFFIX if is_metadata else "")
    path = storage_path(entry["sha256"], filename)
    storage = package_storage()
    if storage.exists(path):
        return path
    upstream = indexes.by_name(upstream_name)
    if upstream is None:
        raise fetch.UpstreamError(f"upstream {upstream_name} is no longer configured")
    url = entry["upstream_url"] + (METADATA_SUFFIX if is_metadata else "")
    with tempfile.TemporaryFile() as spool:
        digest = hashlib.sha256()
        size = 0
        with fetch.open_url(upstream, url, settings.UPSTREAM_FILE_TIMEOUT_SECONDS) as response:
            while chunk := response.read(_CHUNK):
                size += len(chunk)
                if size > settings.UPSTREAM_MAX_FILE_SIZE:
                    raise fetch.UpstreamError(f"{filename} from {upstream_name} is too large")
                digest.update(chunk)
                spool.write(chunk)
        if digest.hexdigest() != expected:
            log.error(
                "integrity failure: %s from upstream %s has sha256 %s, its page promised %s; not stored",
                filename,
                upstream_name,
                digest.hexdigest(),
                expected,
            )
            raise IntegrityFailure(f"{filename} from upstream {upstream_name} does not match its sha256")
        spool.seek(0)
        if not storage.exists(path):
            saved = storage.save(path, DjangoFile(spool, name=filename))
            if saved != path:  # a concurrent first request stored it first
                storage.delete(saved)
    return path
