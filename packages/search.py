"""Project search shared by the web UI and XML-RPC `search`.

PostgreSQL: full-text search over a per-project tsvector (name weighted highest, then the
latest release's summary and keywords, then its description) stored in
Project.search_vector with a GIN index, and kept current by signal receivers below
whenever a project or release is saved or deleted (once per project at the end of a
`batched()` block, as the upload pipeline uses it). Other databases (SQLite in development)
fall back to case-insensitive substring matching with a simple name-first ranking.
"""

import contextvars
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import Case, F, IntegerField, Max, Q, TextField, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core import rawsql
from core.batching import deferred
from core.search_bound import MAX_QUERY_LENGTH, QueryTooLarge, check_query, tsquery_terms

from . import search_candidates
from .models import Project, Release, latest_key, safe_version
from .names import normalize_name

SEARCH_CONFIG = "english"
# to_tsvector refuses input over 1 MB; the start of a README is what matters for ranking anyway.
MAX_DESCRIPTION_CHARS = 100_000
__all__ = [
    "MAX_QUERY_LENGTH",
    "QueryTooLarge",
    "check_query",
    "search",
    "search_projects",
]  # the bound: core/search_bound.py
# Inside batched(): {project_id: its merged reindex request (see _merge)}, run when it ends.
_pending = contextvars.ContextVar("search_pending", default=None)


def uses_full_text():
    return connection.vendor == "postgresql"


def _text(value):
    return Value(value or "", output_field=TextField())


@cache
def _release_order_sql():
    columns = ", ".join(rawsql.column(Release, name) for name in ("id", "version", "yanked", "is_prerelease"))
    return f"SELECT {columns} FROM {rawsql.table(Release)} WHERE {rawsql.column(Release, 'project')} = %s"


def _latest_release_pk(project_id):
    """Only the small ordering columns of every release are read (not their READMEs). Plain SQL
    (core/rawsql.py): every new release of an upload runs this, and for a project of 400 releases
    the ORM's values_list took 3.0 ms against 0.56 ms (PostgreSQL, bench/upload_loop.py's database)."""
    rows = rawsql.fetch_all(_release_order_sql(), [project_id])
    if not rows:
        return None
    # bool(): SQLite returns the flags as 0/1.
    return max(rows, key=lambda r: latest_key(bool(r[2]), bool(r[3]), safe_version(r[1])))[0]


def reindex_project(project_id, name=None, saved=None, created=False, new_project=False):
    """Rebuild one project's search vector from its name and latest release (no-op off PostgreSQL).

    `saved`: a release just saved, whose text is used when it is the latest; `created`: it is
    new, so when it is not the latest (a backport) nothing the vector reads has changed;
    `new_project`: the project was just created, so its only release is `saved` (if any)."""
    if not uses_full_text():
        return
    if new_project:
        latest_pk = saved.pk if saved is not None else None
    else:
        latest_pk = _latest_release_pk(project_id)
    if created and saved is not None and latest_pk != saved.pk:
        return
    if name is None:
        name = Project.objects.filter(pk=project_id).values_list("name", flat=True).first()
        if name is None:
            return
    name_words = name.replace("-", " ").replace("_", " ").replace(".", " ")
    vector = SearchVector(_text(f"{name} {name_words}"), weight="A", config=SEARCH_CONFIG)
    if latest_pk is not None:
        if saved is not None and saved.pk == latest_pk:
            summary, keywords, description = saved.summary, saved.keywords, saved.description
        else:
            fields = Release.objects.filter(pk=latest_pk).values_list("summary", "keywords", "description")
            summary, keywords, description = fields.get()
        vector = (
            vector
            + SearchVector(_text(f"{summary} {keywords}"), weight="B", config=SEARCH_CONFIG)
            + SearchVector(_text(description[:MAX_DESCRIPTION_CHARS]), weight="D", config=SEARCH_CONFIG)
        )
    Project.objects.filter(pk=project_id).update(search_vector=vector)


def reindex_all(progress=None):
    """Rebuild every project's vector (for a `reindex_search` command). Returns how many."""
    count = 0
    for project_id in Project.objects.values_list("pk", flat=True).iterator():
        reindex_project(project_id)
        count += 1
        if progress is not None:
            progress(count)
    return count


def batched():
    """Reindex each project touched in the block once, when the block ends (an upload that
    creates a project and its first release would otherwise build the vector twice).
    Nothing is written if the block raises; nested batches join the outer one."""
    return deferred(_pending, dict, _reindex_pending)


def _reindex_pending(pending):
    for project_id, request in pending.items():
        full = request["full"]
        reindex_project(
            project_id,
            request["name"],
            request["saved"],
            request["created"],
            new_project=request["new_project"] and not full,
        )


def _merge(earlier, later):
    """Two reindex requests for one project in a batch, as one: the newest name, and the
    saved release's text only when exactly one release was saved (else read them all)."""
    merged = dict(
        earlier, name=later["name"] or earlier["name"], new_project=earlier["new_project"] or later["new_project"]
    )
    if later["full"] or (later["saved"] is not None and earlier["saved"] not in (None, later["saved"])):
        merged.update(full=True, saved=None, created=False)
    elif later["saved"] is not None and not earlier["full"]:
        merged.update(saved=later["saved"], created=later["created"])
    return merged


def _reindex(project_id, name=None, saved=None, created=False, new_project=False, full=False):
    """Reindex now, or once at the end of the current batched() block. `full`: a release was
    deleted or partly saved, so every release must be read."""
    pending = _pending.get()
    if pending is None:
        reindex_project(project_id, name, saved, created, new_project)
        return
    request = {"name": name, "saved": saved, "created": created, "new_project": new_project, "full": full}
    pending[project_id] = _merge(pending[project_id], request) if project_id in pending else request


@receiver(post_save, sender=Project, dispatch_uid="search-project-saved")
def _project_saved(sender, instance, raw=False, created=False, update_fields=None, **kwargs):
    # The vector reads only the name (and the latest release, handled below), so saves of
    # status, size or limits leave it as it is.
    if not raw and (update_fields is None or "name" in update_fields):
        _reindex(instance.pk, instance.name, new_project=created)


@receiver(post_save, sender=Release, dispatch_uid="search-release-saved")
@receiver(post_delete, sender=Release, dispatch_uid="search-release-deleted")
def _release_changed(sender, instance, raw=False, created=False, **kwargs):
    if raw:
        return
    name = instance.project.name if Release.project.is_cached(instance) else None
    if kwargs["signal"] is post_delete:
        _reindex(instance.project_id, name, full=True)
    elif {"summary", "keywords", "description"} & instance.get_deferred_fields():  # partial row: re-read
        _reindex(instance.project_id, name, full=True)
    else:
        _reindex(instance.project_id, name, saved=instance, created=created)


def _tsquery(query):
    """Every word must match, each as a prefix ("djan" finds django); only word characters reach SQL."""
    return " & ".join(f"{part}:*" for part in tsquery_terms(query))


@dataclass(frozen=True)
class Found:
    projects: Sequence  # in the order asked for: a QuerySet, or RankedProjects
    capped: bool  # more projects match than were ranked (search_candidates.CAP)


class RankedProjects(Sequence):
    """Projects in the order of `ids`, read a slice at a time (a search page shows 20) from
    `listed` (what the search may show)."""

    def __init__(self, ids, listed):
        self.ids, self.listed = ids, listed

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1 or None][0]
        ids = self.ids[index]
        loaded = self.listed.in_bulk(ids)
        return [loaded[pk] for pk in ids if pk in loaded]  # (one may have been quarantined since)


def search_projects(query="", classifiers=(), order="relevance", user=None):
    """Public projects (and the private ones `user` may see) matching `query` (all words) and
    every classifier in `classifiers`.

    order: "relevance" (exact name first, then rank) or "date" (newest release first).
    Raises QueryTooLarge past the shared bound (check_query)."""
    return search(query, classifiers, order, user).projects


def search(query="", classifiers=(), order="relevance", user=None) -> Found:
    """search_projects, and whether more matched than were ranked: on PostgreSQL a query's
    matches are bounded before they are ranked (packages/search_candidates.py)."""
    query = check_query(query, classifiers)
    listed = Project.objects.listed_for(user)
    projects = listed
    for classifier in classifiers:
        projects = projects.filter(pk__in=Release.objects.filter(classifiers__name=classifier).values("project_id"))
    if query and uses_full_text():
        return _full_text(projects, listed, query, order)
    exact = normalize_name(query) if query else ""
    if query:
        for word in query.split():
            matching = Release.objects.filter(
                Q(summary__icontains=word) | Q(keywords__icontains=word) | Q(description__icontains=word)
            ).values("project_id")
            projects = projects.filter(
                Q(name__icontains=word) | Q(normalized_name__icontains=word) | Q(pk__in=matching)
            )
        projects = projects.annotate(
            rank=Case(
                When(normalized_name__startswith=exact, then=Value(2)),
                When(normalized_name__contains=exact, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            exact=Case(When(normalized_name=exact, then=Value(1)), default=Value(0), output_field=IntegerField()),
        )
    if order == "date":
        return _newest_released(projects, listed) if not query else Found(_by_last_release(projects), False)
    return Found(projects.order_by(*(("-exact", "-rank", "normalized_name") if query else ("normalized_name",))), False)


def _full_text(projects, listed, query, order):
    tsquery = _tsquery(query)
    if not tsquery:  # nothing searchable in the query (only punctuation)
        return Found(projects.none(), capped=False)
    # "django rest" is also the name django-rest: what to put first, and to look for by name.
    exact = normalize_name("-".join(query.split()))
    found = search_candidates.ranked(projects, tsquery, SEARCH_CONFIG, exact)
    if order != "date":
        return Found(RankedProjects(found.ids, listed), found.capped)
    # One array parameter, not a thousand: Django prepares each value of an IN list.
    chosen = listed.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [found.ids]))
    return Found(_by_last_release(chosen), found.capped)


def _newest_released(projects, listed):
    """Every project by its newest release, without words: read back from the newest release
    (RELEASE_ROWS at most, not an aggregate over every release), then those never released."""
    rows = Release.objects.filter(project__in=projects).order_by("-created").values_list("project_id", flat=True)
    recent = list(rows[: search_candidates.RELEASE_ROWS + 1])
    ids = list(dict.fromkeys(recent))
    if len(recent) > search_candidates.RELEASE_ROWS or len(ids) > search_candidates.CAP:
        return Found(RankedProjects(ids[: search_candidates.CAP], listed), capped=True)
    room = search_candidates.CAP - len(ids)
    unreleased = list(projects.exclude(pk__in=ids).order_by("normalized_name").values_list("pk", flat=True)[: room + 1])
    return Found(RankedProjects(ids + unreleased[:room], listed), capped=len(unreleased) > room)


def _by_last_release(projects):
    return projects.annotate(last_release=Max("releases__created")).order_by(
        F("last_release").desc(nulls_last=True), "normalized_name"
    )
