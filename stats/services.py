"""What the counts say: a project's recent downloads, the most-downloaded projects, the index's
totals; and the retention that folds old daily rows into months."""

from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, F, Max, Sum
from django.utils import timezone

from packages.models import File, Project

from .models import DailyDownloads, DownloadLogCursor, MonthlyDownloads

GENERATION_KEY = "stats:downloads-generation"
GENERATION_SECONDS = 60

WINDOWS = {"last_day": 1, "last_week": 7, "last_month": 30}
PUBLIC_STATUSES = ("active", "archived", "deprecated")


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


def project_downloads(project_id):
    """{"last_day", "last_week", "last_month"}: downloads of the project's files in the last 1, 7
    and 30 days (UTC, today included), pypi.org's old `info.downloads` shape."""
    start = today() - timedelta(days=max(WINDOWS.values()) - 1)
    by_day = dict(
        DailyDownloads.objects.filter(file__release__project_id=project_id, day__gte=start)
        .values_list("day")
        .annotate(total=Sum("count"))
        .values_list("day", "total")
    )
    first = today()
    return {
        name: sum(total for day, total in by_day.items() if (first - day).days < days) for name, days in WINDOWS.items()
    }


def top_projects(limit=20, days=30):
    """[(project name, normalized name, downloads)] most downloaded in the last `days`, public only."""
    start = today() - timedelta(days=days - 1)
    rows = (
        DailyDownloads.objects.filter(day__gte=start, file__release__project__status__in=PUBLIC_STATUSES)
        .values("file__release__project_id")
        .annotate(total=Sum("count"))
        .order_by("-total", "file__release__project_id")[:limit]
    )
    names = dict(
        Project.objects.filter(pk__in=[r["file__release__project_id"] for r in rows]).values_list("id", "name")
    )
    normalized = dict(Project.objects.filter(pk__in=names).values_list("id", "normalized_name"))
    return [
        (names[r["file__release__project_id"]], normalized[r["file__release__project_id"]], r["total"]) for r in rows
    ]


def totals():
    files = File.objects.filter(release__project__status__in=PUBLIC_STATUSES).aggregate(
        files=Count("id"), bytes=Sum("size")
    )
    daily = DailyDownloads.objects.filter(file__release__project__status__in=PUBLIC_STATUSES).aggregate(n=Sum("count"))[
        "n"
    ]
    monthly = MonthlyDownloads.objects.filter(file__release__project__status__in=PUBLIC_STATUSES).aggregate(
        n=Sum("count")
    )["n"]
    return {
        "projects": Project.objects.filter(status__in=PUBLIC_STATUSES).count(),
        "files": files["files"] or 0,
        "bytes": files["bytes"] or 0,
        "downloads": (daily or 0) + (monthly or 0),
    }


def fold_old_days(keep_days=None):
    """Daily rows older than DOWNLOAD_STATS_DAILY_DAYS become monthly rows (added to any there);
    returns the number of daily rows folded."""
    keep_days = settings.DOWNLOAD_STATS_DAILY_DAYS if keep_days is None else keep_days
    cutoff = today() - timedelta(days=keep_days)
    with transaction.atomic():
        old = DailyDownloads.objects.select_for_update().filter(day__lt=cutoff)
        months = {}
        for file_id, day, installer, python, count in old.values_list("file_id", "day", "installer", "python", "count"):
            key = (file_id, date(day.year, day.month, 1), installer, python)
            months[key] = months.get(key, 0) + count
        for (file_id, month, installer, python), count in months.items():
            updated = MonthlyDownloads.objects.filter(
                file_id=file_id, month=month, installer=installer, python=python
            ).update(count=F("count") + count)
            if not updated:
                MonthlyDownloads.objects.create(
                    file_id=file_id, month=month, installer=installer, python=python, count=count
                )
        folded, _ = old.delete()
    return folded
