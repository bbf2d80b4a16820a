"""Bulk-insert N projects (rows only, one journal entry each) for the 100k-project measurements.

Run with the app's environment: `python bench/scale_seed.py 100000`. Rows go straight in
with bulk_create (the services layer is far too slow for 100k), in the shape the services
would leave them: normalized names, a journal entry per project, last_serial set.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pypiapp.settings")

import django

django.setup()

from django.db import transaction

from packages.models import JournalEntry, Project
from packages.names import normalize_name, ultranormalize_name

BATCH = 5000
WORDS = ["alpha", "beta", "gamma", "delta", "http", "json", "async", "data", "cli", "tools", "web", "utils"]


def seed(count):
    existing = Project.objects.filter(name__startswith="scale-").count()
    for start in range(existing, count, BATCH):
        stop = min(count, start + BATCH)
        names = [f"scale-{WORDS[i % len(WORDS)]}-{i:06d}" for i in range(start, stop)]
        with transaction.atomic():
            entries = JournalEntry.objects.bulk_create([JournalEntry(name=n, action="create") for n in names])
            if entries[0].id is None:  # backends that don't return ids
                last = JournalEntry.objects.order_by("-id").values_list("id", flat=True)[: len(names)]
                ids = sorted(last)
            else:
                ids = [e.id for e in entries]
            Project.objects.bulk_create(
                [
                    Project(
                        name=n,
                        normalized_name=normalize_name(n),
                        ultranormalized_name=ultranormalize_name(n),
                        last_serial=serial,
                    )
                    for n, serial in zip(names, ids)
                ]
            )
    return Project.objects.count()


def settle():
    """What an operator runs after a bulk load: fresh planner statistics, so the measurements
    neither run on row estimates from the empty tables nor share the CPU with autovacuum."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


if __name__ == "__main__":
    print(seed(int(sys.argv[1])))
    settle()
