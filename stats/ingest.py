"""Count the download logs into DailyDownloads, incrementally and never a line twice.

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

from .models import DailyDownloads, DownloadLogCursor
from .useragents import classify

CHUNK = 8 * 1024 * 1024  # bytes read per transaction; a big backlog takes several


def _parse(raw):
    """(storage path, day, installer, python) for a counted download line, else None."""
    try:
        entry = json.loads(raw)
        uri, status = entry["uri"], int(entry["status"])
        method, when = entry.get("method", "GET"), entry["time"]
    except (ValueError, KeyError, TypeError):
        return None
    if status != 200 or method != "GET" or not uri.startswith(FILES_URL_PREFIX) or uri.endswith(".metadata"):
        return None
    try:
        day = date.fromisoformat(when[:10])
    except ValueError:
        return None
    client = classify(entry.get("ua"))
    return uri[len(FILES_URL_PREFIX) :], day, client.installer, client.python


def _complete_lines(handle, offset):
    """Whole lines from `offset` (up to CHUNK bytes) and the offset after the last of them."""
    handle.seek(offset)
    data = handle.read(CHUNK)
    end = data.rfind(b"\n")
    if end == -1:
        return [], offset
    return data[: end + 1].splitlines(), offset + end + 1


def _add_counts(counts):
    """Add {(path, day, installer, python): n} to the daily rows (paths of unknown files are dropped)."""
    files = dict(File.objects.filter(path__in={key[0] for key in counts}).values_list("path", "id"))
    for (path, day, installer, python), number in counts.items():
        file_id = files.get(path)
        if file_id is None:
            continue
        updated = DailyDownloads.objects.filter(file_id=file_id, day=day, installer=installer, python=python).update(
            count=F("count") + number
        )
        if not updated:
            DailyDownloads.objects.create(file_id=file_id, day=day, installer=installer, python=python, count=number)


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
