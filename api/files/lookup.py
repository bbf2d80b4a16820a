"""The download lookup, as plain SQL.

pip and uv fetch every file and PEP 658 metadata file through this lookup, so, like
api/simple/lookup.py, it skips the ORM's query compiler (see pypiapp/rawsql.py): building
the three-table query cost more than running it.
"""
from dataclasses import dataclass
from functools import cache

from packages.models import File, Project, Release
from pypiapp import rawsql


@dataclass(frozen=True)
class Download:
    path: str
    filename: str
    has_metadata: bool


@cache
def _download_sql():
    f, r, p = "f", "r", "p"
    return (
        f"SELECT {rawsql.column(File, 'path', f)}, {rawsql.column(File, 'filename', f)}, "
        f"{rawsql.column(File, 'metadata_sha256', f)}, {rawsql.column(Project, 'status', p)} "
        f"FROM {rawsql.table(File, f)} "
        f"JOIN {rawsql.table(Release, r)} ON {rawsql.column(Release, 'id', r)} = {rawsql.column(File, 'release', f)} "
        f"JOIN {rawsql.table(Project, p)} "
        f"ON {rawsql.column(Project, 'id', p)} = {rawsql.column(Release, 'project', r)} "
        f"WHERE {rawsql.column(File, 'path', f)} = %s"
    )


def public_file(path):
    """The file stored at `path` unless it is unknown or its project is quarantined."""
    row = rawsql.fetch_one(_download_sql(), [path])
    if row is None or row[3] == Project.Status.QUARANTINED:
        return None
    return Download(path=row[0], filename=row[1], has_metadata=bool(row[2]))
