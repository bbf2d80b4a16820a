"""What /simple/ lists: one row (name, normalized name, last serial) per public project, and
one per upstream project this index has cached (upstream/listing.py, a source of extra names).

The one owner of that rule, read two ways: every row (a node's first build of the index,
api/simple/index_store.py), and the rows that changed since a serial (each later update), found
from the journal: the projects it names since then are read again, and a name no longer listed
(deleted, quarantined, made private) comes back as None. A transaction may take a serial and
commit after a higher one: the serials of the last REPLAY_WINDOW that were not in the journal at
an update ("unseen") are looked at again by the next one.
"""

import heapq

from django.db import connection
from django.db.models import F, Q
from django.db.models.functions import Collate

from packages.models import JournalEntry, Project
from packages.names import normalize_name
from upstream import listing as upstream_listing

REPLAY_WINDOW = 1000
# Past this many new entries a full read is as cheap as the replay.
MAX_REPLAY = 20000
_CHUNK = 500  # names per IN (...) query, well under SQLite's variable limit
# Byte order, as Python sorts str (the index store bisects on names): the database's own
# collation may order "a-b" and "ab" otherwise.
_BYTE_ORDER = {"postgresql": "C", "sqlite": "BINARY"}


def _listed():
    return Project.objects.public()


def all_rows(upstream=True):
    """Every listed row, sorted by normalized name, streamed; with `upstream` (something was
    ever listed from one) the upstream projects this index has cached among them
    (upstream/listing.py: no local project holds their names)."""
    collation = _BYTE_ORDER.get(connection.vendor)
    order = Collate(F("normalized_name"), collation) if collation else F("normalized_name")
    rows = _listed().order_by(order).values_list("name", "normalized_name", "last_serial").iterator(chunk_size=5000)
    return heapq.merge(rows, upstream_listing.rows(), key=lambda row: row[1]) if upstream else rows


def unseen_after_build(serial, last_serials):
    """The serials of the REPLAY_WINDOW up to `serial` a full read may have missed: all but the
    `last_serials` of the rows it read (those it saw; an older entry of a project, or one of a
    deleted project, is looked at again once, which is cheap)."""
    return [n for n in range(max(1, serial - REPLAY_WINDOW + 1), serial + 1) if n not in last_serials]


def changed_rows(since, unseen, serial, also=()):
    """({normalized name: (name, normalized name, last serial), or None if no longer listed},
    the serials of the REPLAY_WINDOW up to `serial` still not in the journal) for every project
    the journal names after `since` or at one of the `unseen` serials of the last update, and
    the names `also` (upstream projects newly listed)."""
    entries = list(JournalEntry.objects.filter(Q(id__gt=since) | Q(id__in=list(unseen))).values_list("id", "name"))
    names = sorted({normalize_name(name) for _, name in entries} | set(also))
    changes = {}
    for start in range(0, len(names), _CHUNK):
        chunk = names[start : start + _CHUNK]
        found = {
            norm: (name, norm, last)
            for name, norm, last in _listed()
            .filter(normalized_name__in=chunk)
            .values_list("name", "normalized_name", "last_serial")
        }
        if missing := [norm for norm in chunk if norm not in found]:  # deleted locally, or upstream's
            found.update((row[1], row) for row in upstream_listing.rows(missing))
        changes.update((norm, found.get(norm)) for norm in chunk)
    # Below `since`, only the serials unseen last time can still be missing.
    seen, before = {id for id, _ in entries}, set(unseen)
    window = range(max(1, serial - REPLAY_WINDOW + 1), serial + 1)
    return changes, [n for n in window if n not in seen and (n > since or n in before)]
