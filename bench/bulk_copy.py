"""Bulk-load pypi.org's order of size into PostgreSQL with COPY: N projects, R releases each,
a wheel and an sdist per release (700,000 × 5 × 2 = 7,000,000 files by default).

Run with the app's environment: `python bench/bulk_copy.py 700000 --releases 5`. Rows are in
the shape the services leave them (normalized names, content-addressed paths, one journal
entry per project and last_serial set, search vectors built as packages/search.py builds
them), streamed from Python into COPY, with the usual bulk-load steps: the tables' plain
indexes dropped before and rebuilt after, foreign-key triggers off during the load
(session_replication_role = replica; the rows are consistent by construction), then
VACUUM ANALYZE. Prints a JSON object with the row counts and the time of each step.
"""

import hashlib
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pypiapp.settings")

import django

django.setup()

from django.db import connection

from packages.models import File, JournalEntry, Project, Release
from packages.names import canonical_version, normalize_name, ultranormalize_name
from packages.search import SEARCH_CONFIG
from packages.storage import file_path

WORDS = ["alpha", "beta", "gamma", "delta", "http", "json", "async", "data", "cli", "tools", "web", "utils"]
PREFIX = "bulk-"
NOW = "2026-01-01 00:00:00+00"
CHUNK_ROWS = 20_000


class _Rows:
    """A file-like object COPY reads from: tab-separated lines made by a generator."""

    def __init__(self, lines):
        self._lines, self._buffer, self._pos = lines, b"", 0

    def read(self, size=-1):
        if self._pos >= len(self._buffer):
            self._buffer = "".join(line for _, line in zip(range(CHUNK_ROWS), self._lines)).encode()
            self._pos = 0
        end = len(self._buffer) if size < 0 else self._pos + size
        data = self._buffer[self._pos : end]
        self._pos = end
        return data


def _columns(model, skip=()):
    return [f.column for f in model._meta.concrete_fields if f.column not in skip]


def _copy_value(field):
    """A field's default in COPY's text format (the columns a bulk row leaves to the model)."""
    value = field.get_default()
    if value is None:
        return "\\N"
    if field.get_internal_type() == "JSONField":
        return json.dumps(value)
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)


def _with_defaults(model, columns):
    """`columns` plus every other concrete column (but the search vector), and the tab-joined
    defaults of those others to append to each row."""
    rest = [f for f in model._meta.concrete_fields if f.column not in columns and f.column != "search_vector"]
    tail = "".join("\t" + _copy_value(f) for f in rest)
    return [*columns, *(f.column for f in rest)], tail


def _copy(cursor, model, columns, lines):
    """COPY rows of `columns` (each line without its newline); other columns get their defaults."""
    columns, tail = _with_defaults(model, columns)
    lines = (line + tail + "\n" for line in lines)
    cursor.copy_expert(f'COPY "{model._meta.db_table}" ({", ".join(columns)}) FROM STDIN', _Rows(lines), size=1 << 20)


def _secondary_indexes(cursor, tables):
    """What to drop before the load and rebuild after it: every index but the primary keys, as
    (drop statement, create statement); unique constraints are dropped and added back as such."""
    cursor.execute(
        "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
        "WHERE c.contype = 'u' AND c.conrelid::regclass::text = ANY(%s)",
        [list(tables)],
    )
    constraints = cursor.fetchall()
    steps = [
        (f'ALTER TABLE {table} DROP CONSTRAINT "{name}"', f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {d}')
        for table, name, d in constraints
    ]
    cursor.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s) AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
        [list(tables)],
    )
    return steps + [(f'DROP INDEX "{name}"', definition) for name, definition in cursor.fetchall()]


def _next_id(cursor, model):
    cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{model._meta.db_table}"')
    return cursor.fetchone()[0]


def _reset_sequence(cursor, model):
    table = model._meta.db_table
    cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT MAX(id) FROM \"{table}\"))")


def _digests(n):
    sha = hashlib.sha256(b"bulk file %d" % n).hexdigest()
    return sha[:32], sha, hashlib.blake2b(b"bulk file %d" % n, digest_size=32).hexdigest()


def load(count, releases):
    timings = {}
    versions = [(f"1.{k}.0", canonical_version(f"1.{k}.0")) for k in range(releases)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM packages_project WHERE name LIKE %s", [PREFIX + "%"])
        if cursor.fetchone()[0]:
            raise SystemExit("bulk rows are already loaded")
        first = {m: _next_id(cursor, m) for m in (JournalEntry, Project, Release, File)}
        tables = [m._meta.db_table for m in (JournalEntry, Project, Release, File)]
        indexes = _secondary_indexes(cursor, tables)
        start = time.perf_counter()
        for drop, _ in indexes:
            cursor.execute(drop)
        cursor.execute("SET session_replication_role = replica")
        names = [f"{PREFIX}{WORDS[i % len(WORDS)]}-{i:07d}" for i in range(count)]

        t = time.perf_counter()
        _copy(
            cursor,
            JournalEntry,
            ["id", "project_id", "name", "version", "action", "submitted_date"],
            (f"{first[JournalEntry] + i}\t{first[Project] + i}\t{n}\t\tcreate\t{NOW}" for i, n in enumerate(names)),
        )
        timings["journal_s"] = time.perf_counter() - t

        t = time.perf_counter()
        project_columns = [
            "id",
            "name",
            "normalized_name",
            "ultranormalized_name",
            "created",
            "last_serial",
            "status",
            "status_reason",
            "total_size",
        ]
        _copy(
            cursor,
            Project,
            project_columns,
            (
                f"{first[Project] + i}\t{n}\t{normalize_name(n)}\t{ultranormalize_name(n)}\t{NOW}\t"
                f"{first[JournalEntry] + i}\tactive\t\t{releases * 3000}"
                for i, n in enumerate(names)
            ),
        )
        timings["projects_s"] = time.perf_counter() - t

        t = time.perf_counter()
        release_columns = [
            "id",
            "project_id",
            "version",
            "canonical_version",
            "is_prerelease",
            "created",
            "yanked",
            "metadata_version",
            "summary",
        ]

        def release_lines():
            rid = first[Release]
            for i, n in enumerate(names):
                for version, canonical in versions:
                    yield (
                        f"{rid}\t{first[Project] + i}\t{version}\t{canonical}\tf\t{NOW}\tf\t2.1\t"
                        f"{WORDS[i % 7]} {WORDS[(i // 7) % 12]} library number {i}"
                    )
                    rid += 1

        _copy(cursor, Release, release_columns, release_lines())
        timings["releases_s"] = time.perf_counter() - t

        t = time.perf_counter()
        file_columns = [
            "id",
            "release_id",
            "filename",
            "packagetype",
            "python_version",
            "size",
            "md5_digest",
            "sha256_digest",
            "blake2_256_digest",
            "path",
            "upload_time",
            "metadata_sha256",
            "metadata_blake2_256",
        ]

        def file_lines():
            fid, rid = first[File], first[Release]
            for n in names:
                dist = normalize_name(n).replace("-", "_")
                for version, _ in versions:
                    for kind, filename in (
                        ("bdist_wheel", f"{dist}-{version}-py3-none-any.whl"),
                        ("sdist", f"{dist}-{version}.tar.gz"),
                    ):
                        md5, sha, b2 = _digests(fid)
                        meta = (sha[::-1], b2[::-1]) if kind == "bdist_wheel" else ("", "")
                        yield (
                            f"{fid}\t{rid}\t{filename}\t{kind}\t{'py3' if kind == 'bdist_wheel' else 'source'}\t"
                            f"3000\t{md5}\t{sha}\t{b2}\t{file_path(b2, filename)}\t{NOW}\t{meta[0]}\t{meta[1]}"
                        )
                        fid += 1
                    rid += 1

        _copy(cursor, File, file_columns, file_lines())
        timings["files_s"] = time.perf_counter() - t
        cursor.execute("SET session_replication_role = DEFAULT")

        t = time.perf_counter()
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for _, create in indexes:
            cursor.execute(create)
        timings["rebuild_indexes_s"] = time.perf_counter() - t
        timings["indexes_rebuilt"] = len(indexes)

        t = time.perf_counter()
        # packages/search.py's vector for a project: its name (A), the latest release's summary (B).
        if versions:  # (--releases 0 loads bare projects: no summary to index)
            cursor.execute(
                "UPDATE packages_project p SET search_vector = "
                "setweight(to_tsvector(%s, p.name || ' ' || translate(p.name, '-_.', '   ')), 'A') || "
                "setweight(to_tsvector(%s, r.summary), 'B') "
                "FROM packages_release r WHERE p.name LIKE %s AND r.project_id = p.id AND r.version = %s",
                [SEARCH_CONFIG, SEARCH_CONFIG, PREFIX + "%", versions[-1][0]],
            )
        timings["search_vectors_s"] = time.perf_counter() - t
        for model in (JournalEntry, Project, Release, File):
            _reset_sequence(cursor, model)
        timings["load_s"] = time.perf_counter() - start
        t = time.perf_counter()
        cursor.execute("VACUUM ANALYZE")
        timings["vacuum_analyze_s"] = time.perf_counter() - t
        counts = {}
        for model in (Project, Release, File, JournalEntry):
            cursor.execute(f'SELECT COUNT(*) FROM "{model._meta.db_table}"')
            counts[model.__name__] = cursor.fetchone()[0]
    return {
        "projects_added": count,
        "releases_per_project": releases,
        "counts": counts,
        "sample_project": names[min(123_459, count - 1)],
        **timings,
    }


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("projects", type=int)
    parser.add_argument("--releases", type=int, default=5)
    args = parser.parse_args()
    print(json.dumps(load(args.projects, args.releases)))
