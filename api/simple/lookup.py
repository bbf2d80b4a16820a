"""The per-request lookups of the simple API, as plain SQL.

They run on every request, cache hit or not, so they skip the ORM's query compiler (about
as costly as the indexed query itself); the SQL is built once from the models' metadata.
"""
from functools import cache

from django.db import connection

from packages.models import JournalEntry, Project

_FIELDS = ("id", "name", "normalized_name", "last_serial", "status", "status_reason")


@cache
def _project_sql():
    meta = Project._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(f).column) for f in _FIELDS)
    return (f"SELECT {columns} FROM {quote(meta.db_table)} "
            f"WHERE {quote(meta.get_field('normalized_name').column)} = %s")


@cache
def _serial_sql():
    return f"SELECT MAX({connection.ops.quote_name('id')}) FROM {connection.ops.quote_name(JournalEntry._meta.db_table)}"


def public_project(normalized_name):
    """The project (only the fields simple pages use) unless it is missing or quarantined."""
    with connection.cursor() as cursor:
        cursor.execute(_project_sql(), [normalized_name])
        row = cursor.fetchone()
    if row is None or row[4] == Project.Status.QUARANTINED:
        return None
    return Project(**dict(zip(_FIELDS, row)))


def global_serial():
    """Same as packages.services.global_serial(), the newest journal id."""
    with connection.cursor() as cursor:
        cursor.execute(_serial_sql())
        return cursor.fetchone()[0] or 0
