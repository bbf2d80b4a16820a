"""The dependency-confusion rule (README "Upstream indexes"): which names this index may ask the
upstreams about. Every caller that looks a name up upstream asks here first: the simple and JSON
views, the web pages, prefetching and fetching ahead."""

from packages import lookups
from packages.names import is_valid_name, normalize_name

from . import indexes


def may_proxy(name):
    """Whether a name without a public local project may be asked upstream: no local project
    holds it (quarantined ones included) and staff did not prohibit it. One query, none when no
    upstream is configured."""
    if not is_valid_name(name):
        return False  # never sent upstream
    return indexes.any_configured() and not lookups.name_taken(normalize_name(name))
