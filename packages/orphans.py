"""Stored objects that no file row refers to, and upload temp files nobody will finish.

An upload stores its bytes, then commits its rows; a process killed in between leaves an object
with no row (and its temporary file). Each upload leaves an outbox intent that deletes its
objects after ORPHAN_GRACE_SECONDS unless it committed (api/upload/pipeline.py); this module
finds whatever is left anyway by walking the storage (only through the Storage API: listdir,
get_modified_time, delete, so local disk and S3 alike), for `verify_files` and the hourly
`storage-sweep` job. Objects younger than the grace period may belong to an upload in flight and
are never deleted. A top-level folder that another app keeps (settings.STORAGE_FOLDER_OWNERS:
upstream/ holds the proxy's cached files) is checked against that app's rows, through the
function the setting names.
"""

import os
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import File
from .storage import package_storage

BATCH = 1000
METADATA_SUFFIX = ".metadata"


def walk(storage, top=""):
    """Every object path in `storage` under `top` (depth first); none when local storage's folder
    does not exist yet (nothing uploaded)."""
    try:
        directories, files = storage.listdir(top)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{top}/{name}" if top else name
    for name in sorted(directories):
        if not top and name == settings.SITE_MEDIA_PREFIX:
            continue  # site media (sponsor logos) shares the bucket on S3: not package files
        yield from walk(storage, f"{top}/{name}" if top else name)


def _unreferenced(paths):
    by_owner, own = {}, []
    for path in paths:
        folder, _, rest = path.partition("/")
        if rest and folder in settings.STORAGE_FOLDER_OWNERS:
            by_owner.setdefault(folder, []).append(path)
        else:
            own.append(path)
    for folder, owned in by_owner.items():
        referenced = import_string(settings.STORAGE_FOLDER_OWNERS[folder])(owned)
        yield from (path for path in owned if path not in referenced)
    yield from _without_file_row(own)


def _without_file_row(paths):
    bases = {path.removesuffix(METADATA_SUFFIX) for path in paths}
    known = set(File.objects.filter(path__in=bases).values_list("path", flat=True))
    metadata = set(File.objects.filter(path__in=bases).exclude(metadata_sha256="").values_list("path", flat=True))
    for path in paths:
        if path.endswith(METADATA_SUFFIX):
            if path.removesuffix(METADATA_SUFFIX) not in metadata:
                yield path
        elif path not in known:
            yield path


def find_orphans(storage=None):
    """(path, age in seconds) of every stored object no File row refers to."""
    storage = storage or package_storage()
    now = timezone.now()
    batch = []

    def flush():
        for path in _unreferenced(batch):
            yield path, (now - storage.get_modified_time(path)).total_seconds()
        batch.clear()

    for path in walk(storage):
        batch.append(path)
        if len(batch) >= BATCH:
            yield from flush()
    yield from flush()


def remove_orphans(orphans, grace_seconds=None, storage=None):
    """Delete the orphans older than the grace period. Returns (removed, kept as too young)."""
    storage = storage or package_storage()
    grace = settings.ORPHAN_GRACE_SECONDS if grace_seconds is None else grace_seconds
    removed, kept = [], []
    for path, age in orphans:
        # Checked again just before: an upload may have committed a row for it since the walk.
        if age >= grace and list(_unreferenced([path])):
            storage.delete(path)
            removed.append(path)
        else:
            kept.append(path)
    return removed, kept


def sweep_upload_temp_files(grace_seconds=None):
    """Delete Django's upload temp files (tmp*.upload*) older than the grace period from
    FILE_UPLOAD_TEMP_DIR: a killed worker never closes them. Returns the paths removed."""
    grace = settings.ORPHAN_GRACE_SECONDS if grace_seconds is None else grace_seconds
    directory = Path(settings.FILE_UPLOAD_TEMP_DIR)
    cutoff = time.time() - grace
    removed = []
    for path in directory.glob("*.upload*"):
        try:
            if path.is_file() and path.stat().st_mtime <= cutoff:
                os.unlink(path)
                removed.append(str(path))
        except FileNotFoundError:
            continue
    return removed


def run_periodic():
    removed, kept = remove_orphans(find_orphans())
    temp = sweep_upload_temp_files()
    return (
        f"storage-sweep: {len(removed)} orphaned objects removed, {len(kept)} younger than "
        f"{timedelta(seconds=settings.ORPHAN_GRACE_SECONDS)} kept, {len(temp)} upload temp files removed"
    )
