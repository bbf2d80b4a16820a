"""What the counts say: a project's recent downloads, the most-downloaded projects, the index's
totals; and the retention that folds old daily rows into months."""

from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, F, Max, Q, Sum
from django.utils import timezone

from packages.managers import public_q
from packages.models import File, Project

from .models import (
    DailyDownloads,
    DownloadLogCursor,
    MonthlyDownloads,
    UpstreamDailyDownloads,
    UpstreamMonthlyDownloads,
)

GENERATION_KEY = "stats:downloads-generation"
GENERATION_SECONDS = 60

WINDOWS = {"last_day": 1, "last_week": 7, "last_month": 30}
PUBLIC_STATUSES = ("active", "archived", "deprecated")
UPSTREAM_MODELS = (UpstreamDailyDownloads, UpstreamMonthlyDownloads)


def today():
    return timezone.now().date()


def generation():
    """A number that moves whenever new downloads were counted: documents that show counts
    (the JSON API) are cached under it. Read from the cursors at most once a minute per cache;
    an ingest that counted something forgets it at once."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        latest = DownloadLogCursor.objects.aggregate(latest=Max("updated"))["latest"]
        value = int(latest.timestamp()) if latest else 0
        cache.set(GENERATION_KEY, value, GENERATION_SECONDS)
    return value


def counts_changed():
    cache.delete(GENERATION_KEY)


def project_downloads(project_id, upstream_name=None):
    """{"last_day", "last_week", "last_month"}: downloads of the project's files in the last 1, 7
    and 30 days (UTC, today included), pypi.org's old `info.downloads` shape. `upstream_name`
    adds the files proxied from an upstream index under that name (an upstream project's only
    ones: project_id None; a local one's that staff let serve upstream files too)."""
    start = today() - timedelta(days=max(WINDOWS.values()) - 1)
    by_day = {}
    rows = []
    if project_id is not None:
        rows.append(DailyDownloads.objects.filter(file__release__project_id=project_id, day__gte=start))
    if upstream_name:
        rows.append(UpstreamDailyDownloads.objects.filter(project=upstream_name, day__gte=start))
    for queryset in rows:
        for day, total in queryset.values_list("day").annotate(total=Sum("count")).values_list("day", "total"):
            by_day[day] = by_day.get(day, 0) + total
    first = today()
    return {
        name: sum(total for day, total in by_day.items() if (first - day).days < days) for name, days in WINDOWS.items()
    }


def downloads_of(project):
    """project_downloads for a local project (with its proxied files when it serves them)."""
    return project_downloads(project.pk, project.normalized_name if project.serve_upstream_files else None)


def top_projects(limit=20, days=30, include_upstream=False, *, include_private=False):
    """[(project name, normalized name, downloads)] most downloaded in the last `days`, public only
    (/stats/ never shows a private project) or, for staff's exports (`include_private`), private
    ones too (never quarantined ones); with `include_upstream`, projects proxied from upstream
    indexes too (their files' downloads added to a local project of the name only when it serves
    upstream files)."""
    start = today() - timedelta(days=days - 1)
    shown = (
        ~Q(file__release__project__status=Project.Status.QUARANTINED)
        if include_private
        else public_q("file__release__project__")
    )
    rows = (
        DailyDownloads.objects.filter(shown, day__gte=start)
        .values("file__release__project_id")
        .annotate(total=Sum("count"))
        .order_by("-total", "file__release__project_id")[:limit]
    )
    projects = {
        pk: (name, normalized)
        for pk, name, normalized in Project.objects.filter(
            pk__in=[r["file__release__project_id"] for r in rows]
        ).values_list("id", "name", "normalized_name")
    }
    ranked = {
        projects[r["file__release__project_id"]][1]: [*projects[r["file__release__project_id"]], r["total"]]
        for r in rows
    }
    if include_upstream:
        _add_upstream(ranked, start, limit)
    ordered = sorted(ranked.values(), key=lambda r: (-r[2], r[1]))[:limit]
    return [tuple(r) for r in ordered]


def _add_upstream(ranked, start, limit):
    upstream = (
        UpstreamDailyDownloads.objects.filter(day__gte=start)
        .values("project")
        .annotate(total=Sum("count"))
        .order_by("-total", "project")[: limit * 2]
    )
    upstream = {r["project"]: r["total"] for r in upstream}
    local = {
        normalized: (name, status in PUBLIC_STATUSES and serves and not private)
        for normalized, name, status, serves, private in Project.objects.filter(
            normalized_name__in=upstream
        ).values_list("normalized_name", "name", "status", "serve_upstream_files", "is_private")
    }
    for normalized, total in upstream.items():
        name, counted = local.get(normalized, (normalized, True))
        if not counted:
            continue  # the name is a local project's now, which does not serve upstream files
        row = ranked.setdefault(normalized, [name, normalized, 0])
        row[2] += total


def totals():
    """The index's totals on /stats/: public projects only (a private project's files, bytes and
    downloads are not counted, so nothing about it can be read off the differences)."""
    files = File.objects.filter(public_q("release__project__")).aggregate(files=Count("id"), bytes=Sum("size"))
    daily = DailyDownloads.objects.filter(public_q("file__release__project__")).aggregate(n=Sum("count"))["n"]
    monthly = MonthlyDownloads.objects.filter(public_q("file__release__project__")).aggregate(n=Sum("count"))["n"]
    # Files proxied from upstream indexes count like local ones.
    upstream = sum(model.objects.aggregate(n=Sum("count"))["n"] or 0 for model in UPSTREAM_MODELS)
    return {
        "projects": Project.objects.public().count(),
        "files": files["files"] or 0,
        "bytes": files["bytes"] or 0,
        "downloads": (daily or 0) + (monthly or 0) + upstream,
    }


def fold_old_days(keep_days=None):
    """Daily rows older than DOWNLOAD_STATS_DAILY_DAYS become monthly rows (added to any there),
    local and upstream files' alike; returns the number of daily rows folded."""
    keep_days = settings.DOWNLOAD_STATS_DAILY_DAYS if keep_days is None else keep_days
    cutoff = today() - timedelta(days=keep_days)
    folded = 0
    with transaction.atomic():
        for daily, monthly, keys in (
            (DailyDownloads, MonthlyDownloads, ("file_id",)),
            (*UPSTREAM_MODELS, ("project", "filename")),
        ):
            folded += _fold(daily, monthly, keys, cutoff)
    return folded


def _fold(daily, monthly, keys, cutoff):
    old = daily.objects.select_for_update().filter(day__lt=cutoff)
    months = {}
    for *ident, day, installer, python, count in old.values_list(*keys, "day", "installer", "python", "count"):
        key = (*ident, date(day.year, day.month, 1), installer, python)
        months[key] = months.get(key, 0) + count
    for (*ident, month, installer, python), count in months.items():
        row = {**dict(zip(keys, ident)), "month": month, "installer": installer, "python": python}
        if not monthly.objects.filter(**row).update(count=F("count") + count):
            monthly.objects.create(**row, count=count)
    folded, _ = old.delete()
    return folded
