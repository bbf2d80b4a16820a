"""Files fetched ahead of their download. pip and uv read the PEP 658 metadata file of every
requirement while they resolve, and download the files only once all are resolved: so when a
client reads a metadata file whose file is not stored, the file is fetched from the upstream
now, in a thread of this process, while the client goes on reading pages.

Once per file: a fetch ahead takes the file's lock (upstream/streaming.py), so the client's own
request, arriving meanwhile, waits for it (woken at once in this process) and serves the stored
copy; a file stored or being fetched already is left alone. Bounded: one thread per process, at
most QUEUE_SIZE files waiting (more are dropped: the downloads fetch their files themselves), and
only files whose page gives a size of at most UPSTREAM_FETCH_AHEAD_MAX_BYTES (0 turns fetching
ahead off). The callers apply the
dependency-confusion rule first: a file fetched ahead is of a name they may serve.

A process killed mid-fetch leaves what a killed request leaves (upstream/stored.py): at most an
object without its row, never served, replaced by the next fetch or swept (and a lock that
expires). One that exits (a gunicorn worker restarting) finishes the fetch under way first.
"""

import atexit
import logging
import os
import queue
import threading

from django.conf import settings
from django.db import close_old_connections, connections

from . import fetch, stored, streaming
from .files import Wanted

log = logging.getLogger(__name__)
QUEUE_SIZE = 32
# A process that exits finishes the fetch under way for up to this long (so its lock is released,
# not left to expire while a client waits for it); the files still waiting are dropped.
EXIT_SECONDS = 5
# The thread keeps its database connection while files come (an install asks for one after the
# other), and closes it once none came for this long.
IDLE_SECONDS = 2
_worker = {"pid": None, "jobs": None, "queued": set(), "stopping": False}  # this process's
_guard = threading.Lock()


def file_of(metadata):
    """A client reads the metadata file `metadata` (a Wanted): fetch its file ahead."""
    wanted = Wanted(metadata.normalized_name, metadata.upstream, metadata.entry)
    size = wanted.size
    if size is None or size > settings.UPSTREAM_FETCH_AHEAD_MAX_BYTES or stored.seen_stored(wanted.path):
        return False
    with _guard:
        if _worker["pid"] != os.getpid():  # none yet, or the parent's (a fork has no threads)
            jobs = queue.Queue(QUEUE_SIZE)
            threading.Thread(target=_work, args=(jobs,), name="upstream-fetch-ahead", daemon=True).start()
            if _worker["pid"] is None:
                atexit.register(_stop)
            _worker.update(pid=os.getpid(), jobs=jobs, queued=set(), stopping=False)
        if wanted.path in _worker["queued"]:
            return False
        try:
            _worker["jobs"].put_nowait(wanted)
        except queue.Full:
            log.info("not fetching %s ahead: %s files wait already", wanted.filename, QUEUE_SIZE)
            return False
        _worker["queued"].add(wanted.path)
        return True


def _work(jobs):
    idle = None  # how long to wait for the next file before closing the database connection
    while True:
        try:
            wanted = jobs.get(timeout=idle)
        except queue.Empty:
            connections.close_all()  # this thread's: none held open while it has nothing to do
            idle = None
            continue
        idle = IDLE_SECONDS
        try:
            if wanted is None:  # wait_idle()'s: the connection goes now
                connections.close_all()
            elif not _worker["stopping"]:
                close_old_connections()  # one the database dropped meanwhile is not reused
                streaming.fetch_ahead(wanted)
        except (streaming.IntegrityFailure, fetch.NotFound, fetch.UpstreamError) as exc:
            log.warning("fetching %s ahead failed: %s", wanted.filename, exc)
        except Exception:
            log.exception("fetching %s ahead failed", getattr(wanted, "filename", None))
        finally:
            if wanted is not None:
                with _guard:
                    _worker["queued"].discard(wanted.path)
            jobs.task_done()


def wait_idle(timeout=30):
    """Whether the files queued in this process were all done, and the thread's database
    connection closed, within `timeout` seconds (for tests: nothing fetched ahead outlives the
    test that started it, and no connection the end of the test session)."""
    jobs = _worker["jobs"] if _worker["pid"] == os.getpid() else None
    if jobs is None:
        return True
    try:
        jobs.put(None, timeout=timeout)
    except queue.Full:
        return False
    with jobs.all_tasks_done:
        return jobs.all_tasks_done.wait_for(lambda: not jobs.unfinished_tasks, timeout)


def _stop():
    _worker["stopping"] = True
    wait_idle(EXIT_SECONDS)
