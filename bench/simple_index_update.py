"""What a change costs /simple/ at pypi.org's size, in-process (api/simple/index_store.py).

Run with the app's environment on a loaded database (bench/pypi_size.py --load-only):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_7m .venv/bin/python bench/simple_index_update.py

Times the first build into an empty directory, then, ROUNDS times: a new project (services
layer, as an upload makes it) or a deletion, then the update of the segments alone and the four
bodies (HTML and JSON, plain and gzip) written from them. The projects it adds are deleted again
at the end. Prints one JSON object.
"""

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pypiapp.settings")

import django

django.setup()

from django.conf import settings
from django.db import transaction

from accounts.models import User
from api.simple import index_store
from packages import services
from packages.models import Project

ROUNDS = 10
BODIES = [(kind, encoding) for kind in ("html", "json") for encoding in ("identity", "gzip")]


def _ms(start):
    return round((time.perf_counter() - start) * 1000, 1)


def _bodies(manifest):
    timings = {}
    for kind, encoding in BODIES:
        start = time.perf_counter()
        index_store._write_body(manifest, kind, encoding, index_store.body_path(manifest.serial, kind, encoding))
        timings[f"{kind}.{encoding}"] = _ms(start)
    return timings


def main():
    settings.SIMPLE_INDEX_DIR = tempfile.mkdtemp(prefix="simple-index-bench-")
    user = User.objects.filter(is_superuser=False).first() or User.objects.create(username="index-bench")
    result = {"projects": Project.objects.count(), "segment_rows": index_store.SEGMENT_ROWS}
    start = time.perf_counter()
    manifest = index_store.update(services.global_serial())
    result["first_build_ms"] = _ms(start)
    result["segments"] = len(manifest.segments)
    result["first_bodies_ms"] = _bodies(manifest)
    result["bytes"] = {
        f"{kind}.{encoding}": index_store.body_path(manifest.serial, kind, encoding).stat().st_size
        for kind, encoding in BODIES
    }
    updates, bodies, rewritten, added = [], [], [], []
    try:
        for n in range(ROUNDS):
            before = {segment.id for segment in manifest.segments}
            with transaction.atomic():
                if n % 2 == 0:
                    added.append(services.create_project(f"index-bench-{time.time_ns()}", user))
                else:
                    services.delete_project(added.pop(), user)
            start = time.perf_counter()
            manifest = index_store.update(services.global_serial())
            updates.append(_ms(start))
            rewritten.append(len(before - {segment.id for segment in manifest.segments}))
            bodies.append(_bodies(manifest))
    finally:
        for project in added:
            with transaction.atomic():
                services.delete_project(project, user)
    result["update_ms"] = {"median": statistics.median(updates), "max": max(updates), "all": updates}
    result["segments_rewritten"] = rewritten
    result["bodies_ms_median"] = {key: statistics.median(b[key] for b in bodies) for key in bodies[0]}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
