from django.db import transaction
from django.db.models import Max

from ..cache import purge_project_on_commit
from ..models import JournalEntry, Project
from ..names import normalize_name


def record(project, action, *, version="", user=None, name=None) -> JournalEntry:
    """Write a journal entry and make its id the project's last serial (same transaction)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("journal.record must run inside transaction.atomic()")
    entry = JournalEntry.objects.create(
        project=project,
        name=name or project.name,
        version=version or "",
        action=action,
        submitted_by=user if (user is not None and user.is_authenticated) else None,
    )
    if project is not None and project.pk is not None:
        Project.objects.filter(pk=project.pk).update(last_serial=entry.id)
        project.last_serial = entry.id
    # Page caches are keyed by serial; only a front cache (nginx/CDN) needs telling.
    purge_project_on_commit(normalize_name(entry.name))
    return entry


def global_serial() -> int:
    """The newest serial of the whole index (what mirrors compare against)."""
    return JournalEntry.objects.aggregate(m=Max("id"))["m"] or 0
