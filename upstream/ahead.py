"""Files fetched ahead of their download. pip and uv read the PEP 658 metadata file of every
requirement while they resolve, and download the files only once all are resolved: so when a
client reads a metadata file whose file is not stored, the file is fetched from the upstream
now, in a thread of this process, while the client goes on reading pages.

Once per file: a fetch ahead takes the file's lock (upstream/streaming.py), so the client's own
request, arriving meanwhile, waits for it (woken at once in this process) and serves the stored
copy; a file stored or being fetched already is left alone. Bounded: one thread per process, at
most QUEUE_SIZE jobs waiting (more are dropped: the downloads fetch their files themselves), and
only files whose page gives a size of at most UPSTREAM_FETCH_AHEAD_MAX_BYTES (0 turns fetching
ahead off). The callers apply the
dependency-confusion rule first: a file fetched ahead is of a name they may serve.

A process killed mid-fetch leaves what a killed request leaves (upstream/stored.py): at most an
object without its row, never served, replaced by the next fetch or swept.
"""

import logging
import os
import queue
import threading

from django.conf import settings
from django.db import connections

from . import fetch, stored, streaming
from .files import Wanted

log = logging.getLogger(__name__)
QUEUE_SIZE = 32
_worker = {"pid": None, "jobs": None, "queued": set()}  # this process's thread, its queue, their keys
_guard = threading.Lock()


def file_of(metadata):
    """A client reads the metadata file `metadata` (a Wanted): fetch its file ahead."""
    wanted = Wanted(metadata.normalized_name, metadata.upstream, metadata.entry)
    size = wanted.size
    if size is None or size > settings.UPSTREAM_FETCH_AHEAD_MAX_BYTES or stored.seen_stored(wanted.path):
        return False
    return _submit(wanted.path, lambda: streaming.fetch_ahead(wanted))


def _submit(key, job):
    with _guard:
        if _worker["pid"] != os.getpid():  # none yet, or the parent's (a fork has no threads)
            jobs = queue.Queue(QUEUE_SIZE)
            threading.Thread(target=_work, args=(jobs,), name="upstream-fetch-ahead", daemon=True).start()
            _worker.update(pid=os.getpid(), jobs=jobs, queued=set())
        if key in _worker["queued"]:
            return False
        try:
            _worker["jobs"].put_nowait((key, job))
        except queue.Full:
            log.info("not fetching ahead for %s: %s jobs wait already", key, QUEUE_SIZE)
            return False
        _worker["queued"].add(key)
        return True


def _work(jobs):
    while True:
        key, job = jobs.get()
        try:
            job()
        except (streaming.IntegrityFailure, fetch.NotFound, fetch.UpstreamError) as exc:
            log.warning("fetching ahead for %s failed: %s", key, exc)
        except Exception:
            log.exception("fetching ahead for %s failed", key)
        finally:
            with _guard:
                _worker["queued"].discard(key)
            if jobs.empty():
                connections.close_all()  # this thread's: none held open while it is idle
            jobs.task_done()


def wait_idle(timeout=30):
    """Whether the jobs queued in this process were all done within `timeout` seconds (for
    tests: nothing fetched ahead outlives the test that started it)."""
    jobs = _worker["jobs"] if _worker["pid"] == os.getpid() else None
    if jobs is None:
        return True
    with jobs.all_tasks_done:
        return jobs.all_tasks_done.wait_for(lambda: not jobs.unfinished_tasks, timeout)
