"""/simple/ at pypi.org's size: kept on disk in segments, updated where it changed, sent by sendfile.

At 700,000 projects the index is 45 MB of HTML and 36 MB of JSON. Rendered whole after each
change it took seconds per worker, and copied out of the page cache for every request it held
a worker for the whole copy. So each node keeps it in settings.SIMPLE_INDEX_DIR:

- `segments/<id>`: the sorted rows cut into runs of about SEGMENT_ROWS, one file each holding the
  run's HTML links, its JSON entries, and both deflated as pieces of one gzip stream
  (core/gzip_pieces.py). A file is never changed: a changed run is written under a new id.
- `manifest.json`: the serial the segments stand for, and the segments in order.
- `bodies/<serial>.<kind>.<encoding>`: whole bodies, laid end to end from the segments when first
  asked for and sent with sendfile (FileResponse), shared by the node's workers through the
  operating system's page cache instead of being held in each worker's memory.

A newer serial reads only the rows that changed (index_rows.changed_rows) and rewrites only the
segments they fall in; a run past twice SEGMENT_ROWS is split, an empty one dropped. A node's
first request builds every segment; so does a serial gone backwards (a restored database),
another database, or a gap past index_rows.MAX_REPLAY. One process at a time updates or writes a
body (an flock on `lock`); a request whose body exists takes no lock.
"""

import fcntl
import json
import os
import zlib
from bisect import bisect_right
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.db import connection

from core import gzip_pieces, metrics
from packages.names import normalize_name
from packages.services import global_serial
from upstream import listing as upstream_listing

from .. import pagecache
from . import index_rows, render

SEGMENT_ROWS = 1000
FORMAT = 1
HTML, JSON = "html", "json"
# A segment file's parts, in order.
_PARTS = ((HTML, pagecache.IDENTITY), (HTML, pagecache.GZIP), (JSON, pagecache.IDENTITY), (JSON, pagecache.GZIP))
_DEFLATED_SEPARATOR = gzip_pieces.deflate(render.INDEX_JSON_SEPARATOR)


class Damaged(OSError):
    """A segment file is missing or cut short (a crash before the disk had it): build anew."""


@dataclass(frozen=True)
class Segment:
    id: int
    first: str  # normalized name of its first row
    lengths: tuple  # of its parts (_PARTS)

    def part(self, data: bytes, kind: str, encoding: str) -> memoryview:
        index = _PARTS.index((kind, encoding))
        start = sum(self.lengths[:index])
        return memoryview(data)[start : start + self.lengths[index]]


@dataclass(frozen=True)
class Manifest:
    serial: int
    database: str
    segments: tuple
    unseen: tuple  # index_rows.missing_entries at `serial`
    next_id: int
    listed: int = 0  # the upstream listing's marker it stands for (upstream/listing.py)


def _root() -> Path:
    return Path(settings.SIMPLE_INDEX_DIR)


def _database() -> str:
    db = connection.settings_dict
    return f"{connection.vendor}:{db.get('HOST') or ''}:{db.get('PORT') or ''}/{db['NAME']}"


def body_path(serial: int, kind: str, encoding: str, listed: int = 0) -> Path:
    return _root() / "bodies" / f"{serial}.{listed}.{kind}.{encoding}"


def open_body(serial: int, kind: str, encoding: str, listed: int = 0) -> tuple[int, BinaryIO]:
    """(serial, open file) of the whole body of `kind` in `encoding`: at `serial` (and the
    upstream listing's marker `listed`) when it is written already, else at the newest serial,
    after bringing the segments to it."""
    try:
        handle = open(body_path(serial, kind, encoding, listed), "rb")
    except FileNotFoundError:
        pass
    else:
        metrics.page_cache("simple", True)
        return serial, handle
    metrics.page_cache("simple", False)
    with _locked():
        try:
            manifest = update(serial, listed)
            path = body_path(manifest.serial, kind, encoding, manifest.listed)
            if not path.exists():
                _write_body(manifest, kind, encoding, path)
        except Damaged:
            manifest = _build(global_serial(), upstream_listing.marker())
            path = body_path(manifest.serial, kind, encoding, manifest.listed)
            _write_body(manifest, kind, encoding, path)
        return manifest.serial, open(path, "rb")


@contextmanager
def _locked():
    root = _root()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / "lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def update(serial: int, listed: int = 0) -> Manifest:
    """Bring the segments to `serial`, the global serial the request read, or to a newer one
    another worker brought them to, and to the upstream listing's marker `listed` (call under
    _locked)."""
    manifest = read_manifest()
    if manifest is not None and manifest.serial > serial:
        serial = global_serial()  # moved on since the request read it, or gone backwards
    if manifest is not None and manifest.listed > listed:
        listed = upstream_listing.marker()
    if (
        manifest is None
        or manifest.database != _database()
        or not 0 <= serial - manifest.serial <= index_rows.MAX_REPLAY
    ):
        return _build(serial, listed)
    if manifest.serial == serial and manifest.listed == listed:
        return manifest
    also = upstream_listing.listed_since(manifest.listed) if listed != manifest.listed else ()
    changes, unseen = index_rows.changed_rows(manifest.serial, manifest.unseen, serial, also)
    return _apply(manifest, changes, serial, tuple(unseen), listed)


def read_manifest() -> Manifest | None:
    try:
        data = json.loads((_root() / "manifest.json").read_text())
    except (FileNotFoundError, ValueError):
        return None
    if data.get("format") != FORMAT:
        return None
    segments = tuple(Segment(id, first, tuple(lengths)) for id, first, lengths in data["segments"])
    return Manifest(
        data["serial"], data["database"], segments, tuple(data["unseen"]), data["next_id"], data.get("listed", 0)
    )


def _build(serial: int, listed: int = 0) -> Manifest:
    # Bodies too: one of the same serial may come from another database, or before a restore.
    for stale in [*(_root() / "segments").glob("*"), *(_root() / "bodies").glob("*")]:
        stale.unlink()
    rows, segments, recent = index_rows.all_rows(upstream=bool(listed)), [], set()
    while chunk := list(islice(rows, SEGMENT_ROWS)):
        segments.append(_write_segment(len(segments), chunk))
        recent.update(last for _, _, last in chunk if last > serial - index_rows.REPLAY_WINDOW)
    unseen = tuple(index_rows.unseen_after_build(serial, recent))
    return _save(Manifest(serial, _database(), tuple(segments), unseen, len(segments), listed), replaced=())


def _apply(manifest: Manifest, changes: dict, serial: int, unseen: tuple, listed: int = 0) -> Manifest:
    """The manifest at `serial`: `changes` ({normalized name: row or None}) written into the
    segments they fall in (a name before every segment's first falls in the first)."""
    firsts = [segment.first for segment in manifest.segments]
    by_segment: dict[int, dict] = {}
    for norm, row in changes.items():
        by_segment.setdefault(max(0, bisect_right(firsts, norm) - 1), {})[norm] = row
    segments, next_id, replaced = list(manifest.segments), manifest.next_id, []
    for index in sorted(by_segment, reverse=True):  # from the end: earlier indexes stay valid
        old = segments[index] if index < len(segments) else None
        rows = read_rows(old) if old is not None else {}
        merged = dict(rows)
        for norm, row in by_segment[index].items():
            if row is None:
                merged.pop(norm, None)
            else:
                merged[norm] = row
        if merged == rows:
            continue
        ordered = [merged[norm] for norm in sorted(merged)]
        runs = [ordered] if len(ordered) <= 2 * SEGMENT_ROWS else _cut(ordered)
        written = []
        for run in runs if ordered else ():
            written.append(_write_segment(next_id, run))
            next_id += 1
        segments[index : index + 1] = written
        if old is not None:
            replaced.append(old)
    return _save(Manifest(serial, _database(), tuple(segments), unseen, next_id, listed), replaced)


def _cut(rows: list) -> list:
    return [rows[start : start + SEGMENT_ROWS] for start in range(0, len(rows), SEGMENT_ROWS)]


def _segment_path(segment_id: int) -> Path:
    return _root() / "segments" / str(segment_id)


def _write_segment(segment_id: int, rows: list) -> Segment:
    html, json_rows = render.index_html_rows(rows), render.index_json_rows(rows)
    parts = (html, gzip_pieces.deflate(html), json_rows, gzip_pieces.deflate(json_rows))
    path = _segment_path(segment_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(parts))
    return Segment(segment_id, rows[0][1], tuple(len(part) for part in parts))


def _segment_bytes(segment: Segment) -> bytes:
    try:
        data = _segment_path(segment.id).read_bytes()
    except FileNotFoundError:
        raise Damaged(f"simple index segment {segment.id} is missing") from None
    if len(data) != sum(segment.lengths):
        raise Damaged(f"simple index segment {segment.id} is {len(data)} bytes, not {sum(segment.lengths)}")
    return data


def read_rows(segment: Segment) -> dict:
    """{normalized name: (name, normalized name, last serial)} of a segment, from its JSON."""
    entries = json.loads(b"[" + bytes(segment.part(_segment_bytes(segment), JSON, pagecache.IDENTITY)) + b"]")
    rows = ((entry["name"], normalize_name(entry["name"]), entry["_last-serial"]) for entry in entries)
    return {row[1]: row for row in rows}


def _save(manifest: Manifest, replaced) -> Manifest:
    """Write the manifest in place of the last (atomically), then drop what it no longer names."""
    data = {
        "format": FORMAT,
        "serial": manifest.serial,
        "database": manifest.database,
        "segments": [[s.id, s.first, list(s.lengths)] for s in manifest.segments],
        "unseen": list(manifest.unseen),
        "next_id": manifest.next_id,
        "listed": manifest.listed,
    }
    temporary = _root() / "manifest.json.tmp"
    temporary.write_text(json.dumps(data, separators=(",", ":")))
    os.replace(temporary, _root() / "manifest.json")
    for segment in replaced:
        _segment_path(segment.id).unlink(missing_ok=True)
    # A worker may still be sending an older body: its open file outlives the unlink.
    for body in (_root() / "bodies").glob("*"):
        if not body.name.startswith(f"{manifest.serial}.{manifest.listed}."):
            body.unlink(missing_ok=True)
    return manifest


def _write_body(manifest: Manifest, kind: str, encoding: str, path: Path) -> None:
    if kind == HTML:
        head, separator, tail = render.INDEX_HTML_HEAD, b"", render.INDEX_HTML_TAIL
    else:
        head, separator, tail = (
            render.index_json_head(manifest.serial),
            render.INDEX_JSON_SEPARATOR,
            render.INDEX_JSON_TAIL,
        )
    packed = encoding == pagecache.GZIP
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as out:
        crc, length = zlib.crc32(head), len(head)
        out.write(gzip_pieces.HEADER + gzip_pieces.deflate(head) if packed else head)
        for number, segment in enumerate(manifest.segments):
            data = _segment_bytes(segment)
            plain = segment.part(data, kind, pagecache.IDENTITY)
            if number and separator:
                crc, length = zlib.crc32(separator, crc), length + len(separator)
                out.write(_DEFLATED_SEPARATOR if packed else separator)
            crc, length = zlib.crc32(plain, crc), length + len(plain)
            out.write(segment.part(data, kind, pagecache.GZIP) if packed else plain)
        crc, length = zlib.crc32(tail, crc), length + len(tail)
        out.write(gzip_pieces.deflate(tail) + gzip_pieces.trailer(crc, length) if packed else tail)
    os.replace(temporary, path)


def clear() -> None:
    """Forget the index (tests: each one's database starts anew)."""
    root = _root()
    for path in [*root.glob("segments/*"), *root.glob("bodies/*"), root / "manifest.json"]:
        path.unlink(missing_ok=True)
