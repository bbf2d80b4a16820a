"""The rows of /simple/ (name, normalized name, last serial), kept up to date incrementally.

A full read of every project is fine at a few thousand projects but not after every one of
the many changes a busy index of 100k projects sees. So the last list is kept in the cache
with its serial, and a newer serial only re-reads the projects named by the journal
entries written since. The replay starts REPLAY_WINDOW entries early so that a transaction
that got a lower serial but committed later than its neighbours is not missed.
"""

from django.core.cache import cache

from packages.models import JournalEntry, Project
from packages.names import normalize_name

SNAPSHOT_KEY = "simple:1:index-rows"
REPLAY_WINDOW = 1000
# Past this many new entries a full read is as cheap as the replay.
MAX_REPLAY = 20000
_CHUNK = 500  # names per IN (...) query, well under SQLite's variable limit


def _full():
    rows = Project.objects.public().order_by("normalized_name").values_list("normalized_name", "name", "last_serial")
    return {norm: (name, last) for norm, name, last in rows.iterator(chunk_size=5000)}


def _replay(projects, since):
    names = {normalize_name(n) for n in JournalEntry.objects.filter(id__gt=since).values_list("name", flat=True)}
    names = sorted(names)
    added = False
    for start in range(0, len(names), _CHUNK):
        chunk = names[start : start + _CHUNK]
        found = {
            norm: (name, last)
            for norm, name, last in Project.objects.public()
            .filter(normalized_name__in=chunk)
            .values_list("normalized_name", "name", "last_serial")
        }
        for norm in chunk:
            if norm in found:
                added |= norm not in projects
                projects[norm] = found[norm]
            else:
                projects.pop(norm, None)
    return added


def index_rows(serial):
    """[(name, normalized_name, last_serial)] of public projects, sorted by normalized name."""
    snapshot = cache.get(SNAPSHOT_KEY)
    if snapshot is not None and snapshot[0] == serial:
        projects = snapshot[1]
    elif snapshot is not None and 0 < serial - snapshot[0] <= MAX_REPLAY:
        projects = snapshot[1]
        if _replay(projects, max(0, snapshot[0] - REPLAY_WINDOW)):
            projects = dict(sorted(projects.items()))
        cache.set(SNAPSHOT_KEY, (serial, projects), None)
    else:
        projects = _full()
        cache.set(SNAPSHOT_KEY, (serial, projects), None)
    return [(name, norm, last) for norm, (name, last) in projects.items()]
