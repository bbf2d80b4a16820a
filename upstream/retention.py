"""The retention policy of cached upstream files (README "Upstream indexes"):

- UPSTREAM_RETENTION_DAYS: a file not downloaded for that many days is evicted;
- UPSTREAM_CACHE_MAX_BYTES: while the cached files together are larger, the least recently
  downloaded go first (ties: the first stored).

Only UpstreamFile rows are ever considered, so local projects' files are never evicted, and
evictions go through upstream/stored.py (rows, then objects, safe if killed midway). Pages stay:
an evicted file is fetched again on its next download. Run by the `upstream-retention` periodic
job (deploy/periodic-jobs.md) and `manage.py upstream_cache retention`. 0 turns a rule off.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from . import stored
from .models import UpstreamFile

BATCH = 1000  # rows read at a time while walking the least recently downloaded first


@dataclass
class Outcome:
    expired: stored.Totals = field(default_factory=stored.Totals)  # not downloaded for the days
    over_size: stored.Totals = field(default_factory=stored.Totals)  # least recent, above the size
    remaining_bytes: int = 0

    def line(self, dry_run=False):
        verb = "would evict" if dry_run else "evicted"
        days, limit = settings.UPSTREAM_RETENTION_DAYS, settings.UPSTREAM_CACHE_MAX_BYTES
        return (
            f"upstream-retention: {verb} {self.expired.files} files ({self.expired.bytes} bytes) not downloaded "
            f"for {days or '-'} days and {self.over_size.files} files ({self.over_size.bytes} bytes) above "
            f"{limit or 'no'} size limit; {self.remaining_bytes} bytes cached"
        )


def _total_bytes(rows):
    return rows.aggregate(total=Sum("size"))["total"] or 0


def _least_recent_above(rows, excess):
    """Primary keys of the least recently downloaded rows whose sizes add up to `excess` or more
    (read first, evicted after: the walk does not see its own deletions)."""
    chosen, freed = [], 0
    ordered = rows.order_by("last_downloaded_at", "stored_at", "pk").values_list("pk", "size")
    for pk, size in ordered.iterator(chunk_size=BATCH):
        if freed >= excess:
            break
        chosen.append(pk)
        freed += size
    return chosen


def _evict_or_count(rows, dry_run):
    if dry_run:
        return stored.Totals(rows.count(), _total_bytes(rows))
    return stored.evict(rows)


def run(dry_run=False, now=None):
    """Apply the policy once; with dry_run, only say what it would evict."""
    now = now or timezone.now()
    outcome = Outcome()
    kept = UpstreamFile.objects.all()
    if settings.UPSTREAM_RETENTION_DAYS:
        cutoff = now - timedelta(days=settings.UPSTREAM_RETENTION_DAYS)
        outcome.expired = _evict_or_count(kept.filter(last_downloaded_at__lt=cutoff), dry_run)
        kept = kept.filter(last_downloaded_at__gte=cutoff)
    total = _total_bytes(kept)
    limit = settings.UPSTREAM_CACHE_MAX_BYTES
    if limit and total > limit:
        chosen = _least_recent_above(kept, total - limit)
        for start in range(0, len(chosen), BATCH):
            rows = UpstreamFile.objects.filter(pk__in=chosen[start : start + BATCH])
            outcome.over_size.add(_evict_or_count(rows, dry_run))
        total -= outcome.over_size.bytes
    outcome.remaining_bytes = total
    return outcome


def run_periodic():
    """The `upstream-retention` job (settings.PERIODIC_JOBS): one summary line."""
    if not settings.UPSTREAM_RETENTION_DAYS and not settings.UPSTREAM_CACHE_MAX_BYTES:
        return "upstream-retention: off (UPSTREAM_RETENTION_DAYS and UPSTREAM_CACHE_MAX_BYTES are 0)"
    return run().line()
