"""The public project by name: the one lookup behind simple pages, JSON documents, XML-RPC and feeds.

Simple pages run it on every request, cache hit or not, so it is plain SQL built once from the
model (core/rawsql.py): through the ORM, compiling the query cost about as much as running it.
"""

from functools import cache

from core import rawsql

from .models import Project
from .names import normalize_name

# What the public documents read; any other field loads on first use (deferred), so loading
# only these keeps the per-request cost at what the simple pages' own lookup cost.
_FIELDS = ("name", "normalized_name", "last_serial", "status", "status_reason", "serve_upstream_files")
_SKIP = rawsql.all_but(Project, _FIELDS)


@cache
def _project_sql():
    return (
        f"SELECT {rawsql.select_all(Project, 'p', _SKIP)} FROM {rawsql.table(Project, 'p')} "
        f"WHERE {rawsql.column(Project, 'normalized_name', 'p')} = %s"
    )


def public_project(name):
    """The project called `name` (any spelling), or None when there is none or it is quarantined
    (the rule of Project.objects.public())."""
    row = rawsql.fetch_one(_project_sql(), [normalize_name(name)])
    if row is None:
        return None
    project = rawsql.instance(Project, row, _SKIP)
    return None if project.is_quarantined else project
