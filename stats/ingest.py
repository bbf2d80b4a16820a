"""Count the download logs into DailyDownloads (and UpstreamDailyDownloads for files proxied
from an upstream index, /proxy/...), incrementally and never a line twice.

Each log has a cursor (inode, byte offset after the last counted line). A run reads whole
lines from the offset, adds their counts and moves the cursor in one transaction, with the
cursor row locked, so a run that dies counts nothing and two runs never count the same line.
Rotation: when the path holds a new file (another inode), the rest of the old one is read
first if it is still beside it (logrotate's `downloads.log.1`, found by its inode), then the new
file from its start; a file shorter than the offset (truncated in place) is read from 0.
"""

import json
import os
from collections import Counter
from datetime import date

from django.db import transaction
from django.db.models import F

from packages.models import File
from packages.storage import FILES_URL_PREFIX
from upstream.files import URL_PREFIX as UPSTREAM_URL_PREFIX

from .models import DailyDownloads, DownloadLogCursor, UpstreamDailyDownloads
from .useragents import classify

CHUNK = 8 * 1024 * 1024  # bytes read per transaction; a big backlog takes several
LOCAL, UPSTREAM = "file", "upstream"


def _target(uri):
    """What a download URI counts for: ("file", storage path) for a local file, ("upstream",
    project, filename) for a file proxied from an upstream index; None for anything else."""
    if uri.startswith(FILES_URL_PREFIX):
        return (LOCAL, uri[len(FILES_URL_PREFIX) :])
    if uri.startswith(UPSTREAM_URL_PREFIX):
        parts = uri[len(UPSTREAM_URL_PREFIX) :].split("/")
        if len(parts) == 3 and all(parts):
            return (UPSTREAM, parts[0], parts[2])
    return None


def _parse(raw):
    """(target, day, installer, python) for a counted download line, else None."""
    try:
        entry = json.loads(raw)
        uri, status = entry["uri"], int(entry["status"])
        method, when = entry.get("method", "GET"), entry["time"]
    except (ValueError, KeyError, TypeError):
        return None
    if status != 200 or method != "GET" or uri.endswith(".metadata"):
        return None
    target = _target(uri)
    if target is None:
        return None
    try:
        day = date.fromisoformat(when[:10])
    except ValueError:
        return None
    client = classify(entry.get("ua"))
    return target, day, client.installer, client.python


def _complete_lines(handle, offset):
    """Whole lines from `offset` (up to CHUNK bytes) and the offset after the last of them."""
    handle.seek(offset)
    data = handle.read(CHUNK)
    end = data.rfind(b"\n")
    if end == -1:
        return [], offset
    return data[: end + 1].splitlines(), offset + end + 1


def _add(model, keys, day, installer, python, number):
    updated = model.objects.filter(**keys, day=day, installer=installer, python=python).update(
        count=F("count") + number
    )
    if not updated:
        model.objects.create(**keys, day=day, installer=installer, python=python, count=number)


def _add_counts(counts):
    """Add {(target, day, installer, python): n} to the daily rows (paths of unknown local files
    are dropped; upstream files have no row to look up: counted by project and filename)."""
    paths = {target[1] for target, *_ in counts if target[0] == LOCAL}
    files = dict(File.objects.filter(path__in=paths).values_list("path", "id"))
    for (target, day, installer, python), number in counts.items():
        if target[0] == UPSTREAM:
            _add(UpstreamDailyDownloads, {"project": target[1], "filename": target[2]}, day, installer, python, number)
        elif (file_id := files.get(target[1])) is not None:
            _add(DailyDownloads, {"file_id": file_id}, day, installer, python, number)


def _count_from(path, inode, offset, cursor):
    """Count one chunk of the file at `path` (which must have `inode`) from `offset`; returns
    (lines counted, new offset). Counts and cursor are saved together."""
    with open(path, "rb") as handle:
        if os.fstat(handle.fileno()).st_ino != inode:
            return 0, offset  # replaced between stat and open: the next run sees the new file
        lines, new_offset = _complete_lines(handle, offset)
    counts = Counter(filter(None, (_parse(raw) for raw in lines)))
    _add_counts(counts)
    cursor.inode, cursor.offset = inode, new_offset
    cursor.save(update_fields=["inode", "offset", "updated"])
    return sum(counts.values()), new_offset


def _rotated_file(path, inode):
    """The file the log was rotated to, found by its inode beside `path` (e.g. downloads.log.1)."""
    folder, name = os.path.split(path)
    try:
        entries = os.scandir(folder or ".")
    except OSError:
        return None
    with entries:
        for entry in entries:
            if entry.name.startswith(name) and entry.name != name and entry.inode() == inode:
                return entry.path
    return None


def ingest_one(path):
    """Count everything new in the log at `path`; returns the number of downloads counted."""
    total = 0
    while True:
        with transaction.atomic():
            cursor, _ = DownloadLogCursor.objects.get_or_create(path=path)
            cursor = DownloadLogCursor.objects.select_for_update().get(pk=cursor.pk)
            try:
                current = os.stat(path)
            except FileNotFoundError:
                return total
            if cursor.inode and cursor.inode != current.st_ino:
                rotated = _rotated_file(path, cursor.inode)
                if rotated is not None:
                    counted, offset = _count_from(rotated, cursor.inode, cursor.offset, cursor)
                    total += counted
                    if offset < os.stat(rotated).st_size:
                        continue  # more of the old file left: next chunk
                cursor.inode, cursor.offset = current.st_ino, 0
            elif current.st_size < cursor.offset:
                cursor.offset = 0  # truncated in place
            offset_before = cursor.offset
            counted, offset = _count_from(path, current.st_ino, cursor.offset, cursor)
            total += counted
            if offset == offset_before or offset >= current.st_size:
                return total


def ingest(paths):
    counted = {path: ingest_one(path) for path in paths}
    if any(counted.values()):
        from .services import counts_changed

        counts_changed()
    return counted
