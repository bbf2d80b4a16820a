"""The download lookup, as plain SQL.

pip and uv fetch every file and PEP 658 metadata file through this lookup, so, like
packages/lookups.py, it skips the ORM's query compiler (see core/rawsql.py): building
the three-table query cost more than running it.
"""

from functools import cache

from core import rawsql
from packages.models import File, Project, Release
from packages.permissions import reader_can_see

# Only what a download needs: File.has_metadata and File.metadata_path read these.
_FILE_SKIP = rawsql.all_but(File, ("path", "filename", "metadata_sha256"))
# ...and whether its project may be served to this reader.
_PROJECT_SKIP = rawsql.all_but(Project, ("status", "is_private", "organization"))


@cache
def _download_sql():
    f, r, p = "f", "r", "p"
    return (
        f"SELECT {rawsql.select_all(File, f, _FILE_SKIP)}, {rawsql.select_all(Project, p, _PROJECT_SKIP)} "
        f"FROM {rawsql.table(File, f)} "
        f"JOIN {rawsql.table(Release, r)} ON {rawsql.column(Release, 'id', r)} = {rawsql.column(File, 'release', f)} "
        f"JOIN {rawsql.table(Project, p)} "
        f"ON {rawsql.column(Project, 'id', p)} = {rawsql.column(Release, 'project', r)} "
        f"WHERE {rawsql.column(File, 'path', f)} = %s"
    )


def public_file(path, reader=None):
    """(File, Project) for the file stored at `path` (download columns only), or None when it is
    unknown, its project is quarantined, or its project is private and `reader` may not see it
    (packages/permissions.py; None is anonymous). Project.is_private decides how it is sent."""
    row = rawsql.fetch_one(_download_sql(), [path])
    if row is None:
        return None
    split = rawsql.width(File, _FILE_SKIP)
    project = rawsql.instance(Project, row[split:], _PROJECT_SKIP)
    if project.is_quarantined or not reader_can_see(reader, project):
        return None
    return rawsql.instance(File, row[:split], _FILE_SKIP), project
