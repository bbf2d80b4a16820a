"""Plain SQL for the few queries on the hottest paths (pip's requests, twine's uploads).

On this interpreter the ORM spends longer building and compiling a small query (about
1 ms) than the database spends running it, on every call. The queries here are built once
per process from the models' metadata (no table or column name is spelled by hand, so a
renamed field fails at the first call, in the tests) and return real model instances,
with the same database converters the ORM applies (SQLite dates and booleans, say).
Everything else uses the ORM.
"""

from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Field, Model
from django.db.models.expressions import Col

M = TypeVar("M", bound=Model)


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def table(model: type[Model], alias: str | None = None) -> str:
    name = quote(model._meta.db_table)
    return f"{name} {alias}" if alias else name


def column(model: type[Model], field_name: str, alias: str | None = None) -> str:
    field = model._meta.get_field(field_name)
    assert isinstance(field, Field) and field.column, f"{model.__name__}.{field_name} is not a column"
    name = quote(field.column)
    return f"{alias}.{name}" if alias else name


@cache
def _fields(model: type[Model], skip: tuple[str, ...]) -> tuple[Field, ...]:
    return tuple(f for f in model._meta.concrete_fields if f.name not in skip)


@cache
def _converters(model: type[Model], skip: tuple[str, ...]) -> tuple[tuple[Col, list[Callable[..., Any]]], ...]:
    """Per selected field, the functions the ORM runs on a value read from this database
    (they depend only on the backend and settings, so computing them once is safe)."""
    out = []
    for field in _fields(model, skip):
        col = field.get_col(model._meta.db_table)
        out.append((col, connection.ops.get_db_converters(col) + field.get_db_converters(connection)))
    return tuple(out)


def all_but(model: type[Model], keep: Iterable[str]) -> tuple[str, ...]:
    """The field names to skip so that only `keep` (and the primary key) are loaded."""
    keep = {*keep, model._meta.pk.name}
    return tuple(f.name for f in model._meta.concrete_fields if f.name not in keep)


def select_all(model: type[Model], alias: str, skip: Iterable[str] = ()) -> str:
    """Every concrete column of `model` but `skip`, in the order `instance()` reads them back."""
    # (A concrete field always has a column; the stubs type Field.column as optional.)
    return ", ".join(f"{alias}.{quote(field.column)}" for field in _fields(model, tuple(skip)))  # type: ignore[arg-type]


def width(model: type[Model], skip: Iterable[str] = ()) -> int:
    return len(_fields(model, tuple(skip)))


def instance(model: type[M], values: Sequence[Any], skip: Iterable[str] = ()) -> M:
    """A model instance from the columns of `select_all(model, ..., skip)`, as if the ORM had
    loaded it (the skipped fields are deferred: reading one costs a query, as with .defer())."""
    skip = tuple(skip)
    converted = []
    for value, (col, converters) in zip(values, _converters(model, skip)):
        for convert in converters:
            value = convert(value, col, connection)
        converted.append(value)
    return model.from_db(connection.alias, [f.attname for f in _fields(model, skip)], converted)


def fetch_one(sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def fetch_all(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
