"""The project by name as a reader may see it: the one lookup behind simple pages, JSON
documents, XML-RPC and feeds.

Simple pages run it on every request, cache hit or not, so it is plain SQL built once from the
model (core/rawsql.py): through the ORM, compiling the query cost about as much as running it.
"""

from functools import cache

from core import rawsql

from .models import ProhibitedProjectName, Project
from .names import normalize_name
from .permissions import reader_can_see

# What the public documents read; any other field loads on first use (deferred), so loading
# only these keeps the per-request cost at what the simple pages' own lookup cost.
_FIELDS = (
    "name",
    "normalized_name",
    "last_serial",
    "status",
    "status_reason",
    "serve_upstream_files",
    "is_private",
    "organization",
)
_SKIP = rawsql.all_but(Project, _FIELDS)


@cache
def _project_sql():
    return (
        f"SELECT {rawsql.select_all(Project, 'p', _SKIP)} FROM {rawsql.table(Project, 'p')} "
        f"WHERE {rawsql.column(Project, 'normalized_name', 'p')} = %s"
    )


def public_project(name, reader=None):
    """The project called `name` (any spelling), or None when there is none, it is quarantined
    (the rule of Project.objects.public()) or it is private and `reader` may not see it
    (packages/permissions.py: reader_can_see; None is anonymous). A public project costs this one
    query whoever asks; a private one is what the reader's check runs for."""
    row = rawsql.fetch_one(_project_sql(), [normalize_name(name)])
    if row is None:
        return None
    project = rawsql.instance(Project, row, _SKIP)
    if project.is_quarantined or not reader_can_see(reader, project):
        return None
    return project


@cache
def _taken_sql():
    return (
        f"SELECT EXISTS (SELECT 1 FROM {rawsql.table(Project)} WHERE {rawsql.column(Project, 'normalized_name')} = %s)"
        f" OR EXISTS (SELECT 1 FROM {rawsql.table(ProhibitedProjectName)} "
        f"WHERE {rawsql.column(ProhibitedProjectName, 'name')} = %s)"
    )


def name_taken(normalized_name):
    """Whether a local project of any status holds the (normalized) name or staff prohibited it:
    one query (the upstream proxy asks it on every request for a name it may serve)."""
    return bool(rawsql.fetch_one(_taken_sql(), [normalized_name, normalized_name])[0])
