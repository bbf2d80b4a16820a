"""The upstream projects /simple/ lists beside the local ones (api/simple/index_rows.py takes
them as extra rows): names an upstream served here that no local project holds and staff did
not prohibit.

What changes the list is a name first served from an upstream (UpstreamProject.listed_at), so
the index store (api/simple/index_store.py) keeps the newest listed_at it has seen (`marker()`)
and reads the names listed since then; OVERLAP looks back past it, for a row that committed
after a later one. A name leaving the list because a local project took it is in the journal
(the local project's creation); one prohibited after it was listed goes at the next full build.
"""

from datetime import datetime, timedelta, timezone

from django.core.cache import cache
from django.db.models import Max

from packages.models import ProhibitedProjectName, Project

from .models import UpstreamProject

OVERLAP = timedelta(seconds=60)
MARKER_KEY, MARKER_SECONDS = "upstream:listing-marker", 60


def _listed():
    return (
        UpstreamProject.objects.filter(is_miss=False, listed_at__isnull=False)
        .exclude(normalized_name__in=Project.objects.values("normalized_name"))
        .exclude(normalized_name__in=ProhibitedProjectName.objects.values("name"))
    )


def _micros(when):
    return int(when.timestamp() * 1_000_000)


def marker() -> int:
    """The newest listed_at as microseconds since the epoch (0: nothing listed yet). Kept in the
    shared cache (moved by moved() at once; read again from the database after MARKER_SECONDS),
    so a /simple/ request costs no query for it."""
    value = cache.get(MARKER_KEY)
    if value is None:
        newest = UpstreamProject.objects.filter(is_miss=False).aggregate(newest=Max("listed_at"))["newest"]
        value = _micros(newest) if newest else 0
        cache.set(MARKER_KEY, value, MARKER_SECONDS)
    return value


def moved(listed_at):
    """An upstream served a name here for the first time, and its row now says so (listed_at,
    written by upstream/pages.py with the page): /simple/ lists it from now."""
    cache.set(MARKER_KEY, max(_micros(listed_at), cache.get(MARKER_KEY) or 0), MARKER_SECONDS)


def rows(names=None):
    """[(name, normalized name, last serial)] of the listed upstream projects (all, or those
    among `names`), sorted by normalized name. Their serial is 0: not this index's journal's."""
    listed = _listed()
    if names is not None:
        listed = listed.filter(normalized_name__in=list(names))
    return [(norm, norm, 0) for norm in sorted(listed.values_list("normalized_name", flat=True))]


def listed_since(since: int) -> list:
    """The names listed at or after the marker `since` (less OVERLAP)."""
    if not since:
        return list(UpstreamProject.objects.filter(listed_at__isnull=False).values_list("normalized_name", flat=True))
    start = datetime.fromtimestamp(since / 1_000_000, tz=timezone.utc) - OVERLAP
    return list(UpstreamProject.objects.filter(listed_at__gte=start).values_list("normalized_name", flat=True))
