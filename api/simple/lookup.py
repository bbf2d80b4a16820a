"""The per-request lookups of the simple API, as plain SQL.

They run on every request, cache hit or not, so they skip the ORM's query compiler (about
as costly as the indexed query itself); the SQL is built once from the models' metadata
(core/rawsql.py).
"""
from functools import cache

from core import rawsql
from packages.models import JournalEntry, Project

_FIELDS = ("id", "name", "normalized_name", "last_serial", "status", "status_reason")


@cache
def _project_sql():
    columns = ", ".join(rawsql.column(Project, f) for f in _FIELDS)
    return f"SELECT {columns} FROM {rawsql.table(Project)} WHERE {rawsql.column(Project, 'normalized_name')} = %s"


@cache
def _serial_sql():
    return f"SELECT MAX({rawsql.column(JournalEntry, 'id')}) FROM {rawsql.table(JournalEntry)}"


def public_project(normalized_name):
    """The project (only the fields simple pages use) unless it is missing or quarantined."""
    row = rawsql.fetch_one(_project_sql(), [normalized_name])
    if row is None or row[4] == Project.Status.QUARANTINED:
        return None
    return Project(**dict(zip(_FIELDS, row)))


def global_serial():
    """Same as packages.services.global_serial(), the newest journal id."""
    return rawsql.fetch_one(_serial_sql(), [])[0] or 0
