"""The download lookup, as plain SQL.

pip and uv fetch every file and PEP 658 metadata file through this lookup, so, like
packages/lookups.py, it skips the ORM's query compiler (see core/rawsql.py): building
the three-table query cost more than running it.
"""

from functools import cache

from core import rawsql
from packages.models import File, Project, Release

# Only what a download needs: File.has_metadata and File.metadata_path read these.
_FILE_SKIP = rawsql.all_but(File, ("path", "filename", "metadata_sha256"))


@cache
def _download_sql():
    f, r, p = "f", "r", "p"
    return (
        f"SELECT {rawsql.select_all(File, f, _FILE_SKIP)}, {rawsql.column(Project, 'status', p)} "
        f"FROM {rawsql.table(File, f)} "
        f"JOIN {rawsql.table(Release, r)} ON {rawsql.column(Release, 'id', r)} = {rawsql.column(File, 'release', f)} "
        f"JOIN {rawsql.table(Project, p)} "
        f"ON {rawsql.column(Project, 'id', p)} = {rawsql.column(Release, 'project', r)} "
        f"WHERE {rawsql.column(File, 'path', f)} = %s"
    )


def public_file(path):
    """The File stored at `path` (download columns only) unless it is unknown or its project
    is quarantined."""
    row = rawsql.fetch_one(_download_sql(), [path])
    if row is None or row[-1] == Project.Status.QUARANTINED:
        return None
    return rawsql.instance(File, row[:-1], _FILE_SKIP)
