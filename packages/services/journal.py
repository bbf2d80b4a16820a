from __future__ import annotations

import contextvars
from contextlib import AbstractContextManager
from functools import cache
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction

from core import rawsql
from core.batching import deferred

from ..cache import purge_project_on_commit
from ..models import JournalEntry, Project
from ..names import normalize_name

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

    # Who a change is recorded for: a person, or None (scripts, a trusted publisher's upload).
    Actor = User | AnonymousUser | None

# Entries queued by record() inside batched(): [(project, entry, project_updates)].
_batch: contextvars.ContextVar[list[tuple[Project, JournalEntry, dict[str, Any]]] | None] = contextvars.ContextVar(
    "journal_batch", default=None
)


def record(
    project: Project,
    action: str,
    *,
    version: str = "",
    user: Actor = None,
    name: str | None = None,
    project_updates: dict[str, Any] | None = None,
) -> JournalEntry:
    """Write a journal entry and make its id the project's last serial (same transaction).

    `project_updates`: more Project columns to set in the same UPDATE (e.g. total_size).
    Inside batched() the entry is queued and written, with its id, when the batch ends."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("journal.record must run inside transaction.atomic()")
    entry = JournalEntry(
        project=project,
        name=name or project.name,
        version=version or "",
        action=action,
        submitted_by=user if (user is not None and user.is_authenticated) else None,
        is_private=project.is_private,
    )
    # Page caches are keyed by serial; only a front cache (nginx/CDN) needs telling.
    purge_project_on_commit(normalize_name(entry.name))
    pending = _batch.get()
    if pending is not None:
        pending.append((project, entry, project_updates or {}))
        return entry
    entry.save()
    _set_last_serial(project, entry.id, project_updates or {})
    return entry


def batched() -> AbstractContextManager[None]:
    """Queue the journal entries of one change and write them when it ends: one INSERT for all
    and one UPDATE per project, instead of two queries per entry (an upload writes up to four).

    Use inside transaction.atomic(); on an exception nothing is written (the transaction is
    rolled back anyway). Nested batches join the outer one."""
    return deferred(_batch, list, _write)


def _write(pending: list[tuple[Project, JournalEntry, dict[str, Any]]]) -> None:
    if not pending:
        return
    entries = [entry for _, entry, _ in pending]
    if connection.features.can_return_rows_from_bulk_insert:  # PostgreSQL, SQLite >= 3.35
        JournalEntry.objects.bulk_create(entries)
    else:
        for entry in entries:
            entry.save()
    projects: dict[int, tuple] = {}
    for project, entry, updates in pending:
        if project is None or project.pk is None:
            continue
        _, serial, merged = projects.get(project.pk, (project, 0, {}))
        if updates.keys() & merged.keys():  # the same column twice: apply the earlier one now
            Project.objects.filter(pk=project.pk).update(**merged)
            merged = {}
        projects[project.pk] = (project, max(serial, entry.id), {**merged, **updates})
    for project, serial, updates in projects.values():
        _set_last_serial(project, serial, updates)


def _set_last_serial(project: Project, serial: int, updates: dict[str, Any]) -> None:
    if project is not None and project.pk is not None:
        Project.objects.filter(pk=project.pk).update(last_serial=serial, **updates)
        project.last_serial = serial


@cache
def _global_serial_sql() -> str:
    return f"SELECT MAX({rawsql.column(JournalEntry, 'id')}) FROM {rawsql.table(JournalEntry)}"


def global_serial() -> int:
    """The newest serial of the whole index (what mirrors compare against, and what /simple/'s
    cache key holds). Plain SQL: /simple/ asks for it on every request (core/rawsql.py)."""
    row = rawsql.fetch_one(_global_serial_sql(), [])  # an aggregate: always one row
    return (row[0] if row else None) or 0
