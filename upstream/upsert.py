"""One-statement upserts of the proxy's rows (INSERT … ON CONFLICT … DO UPDATE … RETURNING), in
plain SQL built from the models' metadata (core/rawsql.py). A cold install writes a row per page
and per file it fetches: the ORM's update_or_create costs five statements there (a transaction,
a locking read, a savepoint around the insert) and bulk_create(update_conflicts=True) three
(BEGIN, the INSERT, COMMIT); this is one, and atomic on its own. The same SQL runs on PostgreSQL
and SQLite (3.35 and later)."""

from functools import cache

from django.db import connection

from core import rawsql


@cache
def _sql(model, unique, names, update):
    columns = [rawsql.column(model, name) for name in names]
    updated = ", ".join(f"{c} = EXCLUDED.{c}" for c in (rawsql.column(model, name) for name in update))
    return (
        f"INSERT INTO {rawsql.table(model)} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({rawsql.column(model, unique)}) DO UPDATE SET {updated} "
        f"RETURNING {rawsql.column(model, model._meta.pk.name)}"
    )


def upsert(instance, unique, update):
    """Insert the instance's row or, when a row has its `unique` value already, set that row's
    `update` fields (the others keep their values). The instance gets the row's primary key."""
    model = type(instance)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    sql = _sql(model, unique, tuple(f.name for f in fields), tuple(update))
    (instance.pk,) = rawsql.fetch_one(sql, values)
    instance._state.adding, instance._state.db = False, connection.alias
    return instance
