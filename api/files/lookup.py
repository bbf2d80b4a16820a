"""The download lookup, as plain SQL.

pip and uv fetch every file and PEP 658 metadata file through this lookup, so, like
api/simple/lookup.py, it skips the ORM's query compiler: building the three-table query
cost more than running it. The SQL is built once from the models' metadata.
"""
from dataclasses import dataclass
from functools import cache

from django.db import connection

from packages.models import File, Project, Release


@dataclass(frozen=True)
class Download:
    path: str
    filename: str
    has_metadata: bool


@cache
def _download_sql():
    quote = connection.ops.quote_name

    def column(model, field):
        return quote(model._meta.get_field(field).column)

    files, releases, projects = (quote(m._meta.db_table) for m in (File, Release, Project))
    return (
        f"SELECT f.{column(File, 'path')}, f.{column(File, 'filename')}, f.{column(File, 'metadata_sha256')}, "
        f"p.{column(Project, 'status')} "
        f"FROM {files} f "
        f"JOIN {releases} r ON r.{column(Release, 'id')} = f.{column(File, 'release')} "
        f"JOIN {projects} p ON p.{column(Project, 'id')} = r.{column(Release, 'project')} "
        f"WHERE f.{column(File, 'path')} = %s"
    )


def public_file(path):
    """The file stored at `path` unless it is unknown or its project is quarantined."""
    with connection.cursor() as cursor:
        cursor.execute(_download_sql(), [path])
        row = cursor.fetchone()
    if row is None or row[3] == Project.Status.QUARANTINED:
        return None
    return Download(path=row[0], filename=row[1], has_metadata=bool(row[2]))
