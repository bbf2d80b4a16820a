"""Fetching ahead of an installer. pip and uv resolve one requirement after the other: a page,
then the PEP 658 metadata file of the file they pick, then the pages of its dependencies; they
download the files only once all is resolved. Each of those cold answers waits for an upstream
round trip. So, in threads of this process, while the client reads the answer it got:

- a client reads an upstream page: the metadata file it will likely read next is fetched
  (upstream/likely.py guesses it), and then what that one's reading triggers, below;
- a client reads a metadata file: the pages of the names it requires are fetched (at most
  likely.MAX_DEPENDENCIES; extras left out), and the file it describes (when its page gives a
  size of at most UPSTREAM_FETCH_AHEAD_MAX_BYTES; 0 turns all fetching ahead off).

Only a client's request starts fetching ahead, and what it starts walks on down the
dependencies (a page fetched ahead leads to its metadata file, that one to its dependencies'
pages) for at most BUDGET pages and metadata files, so that it gets ahead of a client that
resolves one requirement after the other. One thread walks (pages first, then metadata files),
another fetches the files (needed last, but not to wait behind a walk).

Once per thing: a metadata file or file is fetched under its lock (upstream/streaming.py), so
the client's own request, arriving meanwhile, waits for it (woken at once in this process) and
serves the stored copy; a page under the page lookup's (upstream/pages.py). With the cache
shared (Redis), so are those locks: with a per-process cache, a worker may fetch again what
another fetches ahead. Bounded: two threads per process, at most QUEUE_SIZE things waiting
each (more are dropped: the clients ask for them themselves). Every name is checked against the dependency-confusion rule (upstream/rule.py)
before it is asked upstream, and a page fetched ahead counts against no client's lookup limit:
the names come from the upstream's metadata, not from the client.

A process killed mid-fetch leaves what a killed request leaves (upstream/stored.py): at most an
object without its row, never served, replaced by the next fetch or swept (and a lock that
expires). One that exits (a gunicorn worker restarting) finishes the fetch under way first.
"""

import atexit
import itertools
import logging
import os
import queue
import threading
from collections import OrderedDict

from django.conf import settings
from django.db import close_old_connections, connections

from packages.storage import package_storage

from . import fetch, likely, pages, rule, stored, streaming
from .files import Wanted

log = logging.getLogger(__name__)
QUEUE_SIZE = 32
# A metadata document longer than this is not read for its dependencies.
MAX_METADATA_BYTES = 1024 * 1024
# The metadata files whose dependencies this process followed lately (not followed again).
FOLLOWED_MEMORY = 1024
# A process that exits finishes the fetch under way for up to this long (so its lock is released,
# not left to expire while a client waits for it); the rest still waiting is dropped.
EXIT_SECONDS = 5
# The thread keeps its database connection while work comes (an install asks for one thing
# after the other), and closes it once none came for this long.
IDLE_SECONDS = 2
# The pages and metadata files one client request may have fetched ahead, the walk down their
# dependencies included: a chain of ten requirements takes 20.
BUDGET = 24
# Kinds of work, in the order a thread takes them. Files have a thread of their own: a walk down
# the dependencies must not hold back the files already known (nor the other way round).
PAGE, GUESS, METADATA, FILE, IDLE = range(5)
WALK, FILES = "walk", "files"
_worker = {"pid": None, "lanes": {}, "queued": set(), "followed": OrderedDict(), "stopping": False}
_guard = threading.Lock()
_order = itertools.count()  # first come, first served within a kind


def _enabled():
    return settings.UPSTREAM_FETCH_AHEAD_MAX_BYTES > 0


class _Budget:
    """What is left of BUDGET to the work one client request started."""

    def __init__(self):
        self.left = BUDGET


def _guess_key(row):
    return f"guess:{row.normalized_name}:{row.fetched_at.isoformat()}"  # once per copy of the page


def after_page(row):
    """A client read the cached upstream page `row` (an UpstreamProject): fetch the metadata file
    it will likely read next, and walk down its dependencies."""
    if _enabled():
        _queue(GUESS, _guess_key(row), row, _Budget())


def after_metadata(metadata):
    """A client reads the metadata file `metadata` (a Wanted): walk down its dependencies, and
    fetch its file."""
    if _enabled():
        _queue(METADATA, metadata.path, metadata, _Budget())
        file_of(metadata)


def file_of(metadata):
    """Fetch the file that the metadata file `metadata` (a Wanted) describes."""
    wanted = Wanted(metadata.normalized_name, metadata.upstream, metadata.entry)
    size = wanted.size
    if size is None or size > settings.UPSTREAM_FETCH_AHEAD_MAX_BYTES or stored.seen_stored(wanted.path):
        return False
    return _queue(FILE, wanted.path, wanted)


def _queue(kind, key, item, budget=None):
    """Hand `item` to this process's thread for its kind (started on first use), unless it waits
    already or `budget` (none for files) is spent."""
    with _guard:
        if _worker["pid"] != os.getpid():  # none yet, or the parent's (a fork has no threads)
            if _worker["pid"] is None:
                atexit.register(_stop)
            _worker.update(pid=os.getpid(), lanes={}, queued=set(), followed=OrderedDict(), stopping=False)
        if key in _worker["queued"] or key in _worker["followed"] or (budget is not None and budget.left <= 0):
            return False
        try:
            _lane(FILES if kind == FILE else WALK).put_nowait((kind, next(_order), key, item, budget))
        except queue.Full:
            log.info("not fetching %s ahead: %s things wait already", key, QUEUE_SIZE)
            return False
        _worker["queued"].add(key)
        if budget is not None:
            budget.left -= 1
        return True


def _lane(name):
    """The queue of this process's thread `name` (started on first use; _guard held)."""
    jobs = _worker["lanes"].get(name)
    if jobs is None:
        jobs = _worker["lanes"][name] = queue.PriorityQueue(QUEUE_SIZE)
        threading.Thread(target=_work, args=(jobs,), name=f"upstream-fetch-ahead-{name}", daemon=True).start()
    return jobs


def _remember_followed(key):
    """Whether `key` was new: then it is not followed again (while this process remembers it)."""
    with _guard:
        followed = _worker["followed"]
        if key in followed:
            return False
        followed[key] = True
        if len(followed) > FOLLOWED_MEMORY:
            followed.popitem(last=False)
        return True


def _guess(key, row, budget):
    _remember_followed(key)
    metadata = likely.metadata_file(row)
    if metadata is not None:
        _follow(metadata, budget)


def _follow(metadata, budget):
    """Store the metadata file (or wait for the fetch under way: the client's), then queue the
    pages of the names it requires."""
    if not _remember_followed(metadata.path):
        return
    path = streaming.ensure_stored(metadata)
    with package_storage().open(path, "rb") as handle:
        data = handle.read(MAX_METADATA_BYTES + 1)
    if len(data) > MAX_METADATA_BYTES:
        return
    for name in likely.dependency_names(data):
        _queue(PAGE, f"page:{name}", name, budget)


def _page(name, budget):
    """The page (a fresh copy is left alone; a failure is the client's to see), then the
    metadata file a client would read from it."""
    if not rule.may_proxy(name):
        return
    page = pages.lookup(name)
    if page is not None:
        _queue(GUESS, _guess_key(page.row), page.row, budget)


def _do(kind, key, item, budget):
    if kind == PAGE:
        _page(item, budget)
    elif kind == GUESS:
        _guess(key, item, budget)
    elif kind == METADATA:
        _follow(item, budget)
    elif kind == FILE:
        streaming.fetch_ahead(item)


def _work(jobs):
    idle = None  # how long to wait for more work before closing the database connection
    while True:
        try:
            kind, _, key, item, budget = jobs.get(timeout=idle)
        except queue.Empty:
            connections.close_all()  # this thread's: none held open while it has nothing to do
            idle = None
            continue
        idle = IDLE_SECONDS
        try:
            if kind == IDLE:  # wait_idle()'s: the connection goes now
                connections.close_all()
            elif not _worker["stopping"]:
                close_old_connections()  # one the database dropped meanwhile is not reused
                _do(kind, key, item, budget)
        except (streaming.IntegrityFailure, fetch.NotFound, fetch.UpstreamError, pages.Unavailable) as exc:
            log.warning("fetching %s ahead failed: %s", key, exc)
        except Exception:
            log.exception("fetching %s ahead failed", key)
        finally:
            with _guard:
                _worker["queued"].discard(key)
            jobs.task_done()


def wait_idle(timeout=30):
    """Whether the work queued in this process was all done, and the threads' database
    connections closed, within `timeout` seconds (for tests: nothing fetched ahead outlives the
    test that started it, and no connection the end of the test session). The walk first: what
    it finds may queue files."""
    if _worker["pid"] != os.getpid():
        return True
    for name in (WALK, FILES):
        with _guard:
            jobs = _worker["lanes"].get(name)
        if jobs is None:
            continue
        try:
            jobs.put((IDLE, next(_order), "idle", None, None), timeout=timeout)
        except queue.Full:
            return False
        with jobs.all_tasks_done:
            if not jobs.all_tasks_done.wait_for(lambda jobs=jobs: not jobs.unfinished_tasks, timeout):
                return False
    return True


def _stop():
    _worker["stopping"] = True
    wait_idle(EXIT_SECONDS)
