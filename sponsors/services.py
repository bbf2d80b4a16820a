"""Which sponsors show where; cached briefly because the footer of every page asks."""

from django.core.cache import cache

from .models import Sponsor

CACHE_KEY = "sponsors:active"
CACHE_SECONDS = 300


def active_sponsors():
    sponsors = cache.get(CACHE_KEY)
    if sponsors is None:
        sponsors = list(Sponsor.objects.active())
        cache.set(CACHE_KEY, sponsors, CACHE_SECONDS)
    return sponsors


def forget():
    cache.delete(CACHE_KEY)


def by_level(sponsors):
    """[(level, [sponsors])] in level order."""
    levels = {}
    for sponsor in sponsors:
        levels.setdefault(sponsor.level, []).append(sponsor)
    return list(levels.items())
