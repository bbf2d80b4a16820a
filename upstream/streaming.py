"""First downloads of upstream files: the bytes go to the client and into package storage at
once, checked against the sha256 the page promised; concurrent first requests fetch once.

- One fetcher per file: a lock in the shared cache (core/cache.py falls back to a per-process
  cache while Redis is down), refreshed while bytes flow, so a dead fetcher's lock expires.
  The others wait for the stored copy and serve it (woken at once when the fetcher is in this
  process, as a fetch ahead of upstream/ahead.py is; polling otherwise); past
  UPSTREAM_FILE_WAIT_SECONDS (under pip's 15-second read timeout) a waiter streams from the
  upstream itself without storing, as nginx's proxy_cache_lock_timeout does.
- A file is stored once its row is written, after its object (upstream/stored.py is_stored).
- A file that ends within PREREAD_BYTES is read whole before anything is sent: a digest
  mismatch is a 502. A longer one is streamed with its last piece held back until the digest
  is checked: on a mismatch the client's stream is cut short (it never gets the whole file),
  nothing is stored, and an integrity failure is logged.
- A client that leaves mid-way does not waste the fetch: the rest is read and stored.
"""

import hashlib
import logging
import tempfile
import threading
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files import File as DjangoFile
from django.http import HttpResponse, StreamingHttpResponse

from core import metrics
from packages.storage import package_storage

from . import fetch, indexes, stored

log = logging.getLogger(__name__)
LOCK_SECONDS = 30
PREREAD_BYTES = 1024 * 1024
CHUNK = 64 * 1024
# A waiter for a fetch in another process checks for the stored copy after FIRST_POLL_SECONDS,
# then at twice the interval each time, up to POLL_SECONDS.
FIRST_POLL_SECONDS, POLL_SECONDS = 0.005, 0.05
# The fetches whose lock this process holds: path -> (token, Event set once it is released).
_held = {}
_held_guard = threading.Lock()


class IntegrityFailure(Exception):
    pass


def _lock_key(path):
    return f"upstream:fetching:{path}"


def _claim(path):
    """A token if this process now holds the file's fetch lock, None when another holds it."""
    token = uuid.uuid4().hex
    if not cache.add(_lock_key(path), token, LOCK_SECONDS):
        return None
    with _held_guard:
        _held[path] = (token, threading.Event())
    return token


def _release(path, token):
    key = _lock_key(path)
    if cache.get(key) == token:
        cache.delete(key)
    with _held_guard:
        held = _held.pop(path) if _held.get(path, (None,))[0] == token else None
    if held is not None:
        held[1].set()  # this process's waiters look for the stored copy now


def _wait(path, seconds):
    """Until the fetch of `path` this process holds ends, or `seconds` (a fetch elsewhere)."""
    with _held_guard:
        held = _held.get(path)
    if held is not None:
        held[1].wait(POLL_SECONDS)
    else:
        time.sleep(seconds)


def _kind(wanted):
    return fetch.METADATA if wanted.is_metadata else fetch.FILE


def obtain(wanted, deliver_stored, count=None):
    """The response for a file: `deliver_stored(path)` once it is in storage, else a stream of
    the first download. `count()` is called once the file went out (a stream: at its end).
    Raises fetch.NotFound / fetch.UpstreamError / IntegrityFailure while the answer can still be
    an error status."""
    count = count or (lambda: None)
    deadline = time.monotonic() + settings.UPSTREAM_FILE_WAIT_SECONDS
    pause = FIRST_POLL_SECONDS
    while True:
        if stored.is_stored(wanted.path):
            metrics.upstream_cache(fetch.FILE, "hit")
            response = deliver_stored(wanted.path)
            if response.status_code in (200, 302):
                count()
            return response
        token = _claim(wanted.path)
        if token is not None:
            if stored.is_stored(wanted.path):  # stored between the check and the lock
                _release(wanted.path, token)
                continue
            metrics.upstream_cache(fetch.FILE, "miss")
            return _first_download(wanted, token, count)
        if time.monotonic() > deadline:
            log.warning(
                "waited %ss for %s: fetching it without storing", settings.UPSTREAM_FILE_WAIT_SECONDS, wanted.path
            )
            metrics.upstream_cache(fetch.FILE, "miss")
            return _first_download(wanted, None, count)
        _wait(wanted.path, pause)
        pause = min(pause * 2, POLL_SECONDS)


def _drain(response):
    # Read to the end: a first download stores itself there (and an error ends its stream). Not
    # response.close(): that is the end of a request, whose signal closes the database connection.
    for _ in response:
        pass


def ensure_stored(wanted):
    """Fetch, check and store the file unless it is stored (for prefetching: no client waits);
    its storage path. Raises as obtain() does, and IntegrityFailure on a mismatch found late."""
    _drain(obtain(wanted, lambda path: HttpResponse()))
    return wanted.path


def fetch_ahead(wanted):
    """Fetch, check and store the file for no client (upstream/ahead.py), unless it is stored or
    being fetched (whoever fetches it stores it): whether it was fetched here. Raises as
    ensure_stored() does."""
    if stored.is_stored(wanted.path):
        return False
    token = _claim(wanted.path)
    if token is None:
        return False
    if stored.is_stored(wanted.path):
        _release(wanted.path, token)
        return False
    metrics.upstream_cache(fetch.FILE, "ahead")
    _drain(_first_download(wanted, token, lambda: None))
    return True


def _first_download(wanted, token, count):
    """Open the upstream file and answer with it; `token` holds the lock (None: pass through)."""
    try:
        upstream = indexes.by_name(wanted.upstream)
        if upstream is None:
            raise fetch.UpstreamError(f"upstream {wanted.upstream} is no longer configured")
        response = fetch.open_url(upstream, wanted.upstream_url, settings.UPSTREAM_FILE_TIMEOUT_SECONDS, _kind(wanted))
        tee = _Tee(wanted, response, token)
        try:
            tee.preread()
            if tee.finished:
                tee.check()  # a mismatch here is still a 502
                count()
                return _response(wanted, _Whole(tee), len(tee.held))
        except BaseException:
            tee.close()
            raise
    except BaseException:
        if token is not None:
            _release(wanted.path, token)
        raise
    return _response(wanted, tee.stream(count), wanted.size or tee.declared_size)


def _response(wanted, content, length):
    content_type = "text/plain; charset=utf-8" if wanted.is_metadata else "application/octet-stream"
    response = StreamingHttpResponse(content, content_type=content_type)
    if length is not None:
        response["Content-Length"] = str(length)
    if not wanted.is_metadata:
        response["Content-Disposition"] = f'attachment; filename="{wanted.filename}"'
    # Content-addressed: only checked bytes are ever sent whole.
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


class _Whole:
    """The content of a file read whole and checked: its bytes go out first, then it is stored
    (the client does not wait for the write), once they are sent or the response is closed."""

    def __init__(self, tee):
        self.tee = tee

    def __iter__(self):
        yield self.tee.held
        self.close()

    def close(self):  # the WSGI server's (Django adds it to the response's closers)
        tee, self.tee = self.tee, None
        if tee is not None:
            try:
                tee.store()
            finally:
                tee.close()


class _Tee:
    """The upstream's bytes, hashed, spooled to a temporary file (to store) and handed out."""

    def __init__(self, wanted, response, token):
        self.wanted, self.response, self.token = wanted, response, token
        self.upstream = wanted.upstream
        self.digest = hashlib.sha256()
        self.spool = tempfile.TemporaryFile() if token is not None else None
        self.size = 0
        self.finished = False
        self.verified = False
        self.held = b""  # read, not yet sent
        self.started = time.monotonic()
        self.touched = self.started
        try:
            self.declared_size = int(response.headers.get("Content-Length", ""))
        except ValueError:
            self.declared_size = None

    def _integrity(self, what):
        log.error("integrity failure: %s from upstream %s %s; not stored", self.wanted.filename, self.upstream, what)
        metrics.upstream_error(self.upstream, _kind(self.wanted), "integrity")
        raise IntegrityFailure(f"{self.wanted.filename} from upstream {self.upstream} does not match its sha256")

    def _read(self):
        """The next chunk (b"" at the end), hashed and spooled."""
        try:
            chunk = self.response.read(CHUNK)
        except fetch.READ_ERRORS as exc:
            error = fetch.UpstreamError(f"upstream {self.upstream} failed mid-file: {exc}", fetch.is_timeout(exc))
            metrics.upstream_error(self.upstream, _kind(self.wanted), error.reason)
            raise error from None
        if not chunk:
            self.finished = True
            metrics.upstream_duration(self.upstream, _kind(self.wanted), time.monotonic() - self.started)
            return chunk
        self.size += len(chunk)
        metrics.upstream_fetched(self.upstream, len(chunk))
        limit = self.wanted.size if self.wanted.size is not None else settings.UPSTREAM_MAX_FILE_SIZE
        if self.size > limit:
            self._integrity(f"is longer than the {limit} bytes promised")
        self.digest.update(chunk)
        if self.spool is not None:
            self.spool.write(chunk)
        if self.token is not None and time.monotonic() - self.touched > LOCK_SECONDS / 3:
            self.touched = time.monotonic()
            cache.touch(_lock_key(self.wanted.path), LOCK_SECONDS)
        return chunk

    def preread(self):
        size = self.wanted.size
        if size is not None and self.declared_size is not None and size != self.declared_size:
            self._integrity(f"is {self.declared_size} bytes upstream, its page promised {size}")
        while len(self.held) < PREREAD_BYTES and (chunk := self._read()):
            self.held += chunk

    def check(self):
        if self.digest.hexdigest() != self.wanted.sha256:
            self._integrity(f"has sha256 {self.digest.hexdigest()}, its page promised {self.wanted.sha256}")
        self.verified = True

    def stream(self, count):
        try:
            pending = self.held
            while chunk := self._read():
                if pending:
                    yield pending
                pending = chunk
            self.check()
            yield pending  # the last piece goes out only once the whole file matched
            count()
        except GeneratorExit:
            self._finish_for_the_cache()
            raise
        except (IntegrityFailure, fetch.UpstreamError) as exc:
            # Headers are sent: the only way to say it failed is to cut the stream short.
            log.warning("upstream stream of %s cut short: %s", self.wanted.filename, exc)
            raise
        finally:
            if self.verified:
                self.store()
            self.close()

    def _finish_for_the_cache(self):
        """The client left: read the rest anyway, so the fetch is stored (if it checks out)."""
        if self.spool is None or self.verified:
            return
        try:
            while self._read():
                pass
            self.check()
        except (IntegrityFailure, fetch.UpstreamError) as exc:
            log.warning("upstream fetch of %s abandoned: %s", self.wanted.filename, exc)

    def store(self):
        """Write the checked bytes to package storage, then their UpstreamFile row, then unlock."""
        if self.spool is None or not self.verified:
            return
        path = self.wanted.path
        try:
            self._put(package_storage(), path)
            stored.save_row(
                path,
                normalized_name=self.wanted.normalized_name,
                upstream=self.upstream,
                filename=self.wanted.filename,
                sha256=self.wanted.sha256,
                size=self.size,
                is_metadata=self.wanted.is_metadata,
            )
        except Exception:  # the client has its checked bytes; the next request fetches again
            log.exception("could not store %s from upstream %s", path, self.upstream)
        finally:
            self.spool.close()
            self.spool = None
            _release(path, self.token)

    def _put(self, storage, path):
        """The object, unless a whole copy is there: one without a row may be what a killed
        process left half-written (its size tells), and is replaced."""
        if storage.exists(path):
            if storage.size(path) == self.size:
                return
            storage.delete(path)
        self.spool.seek(0)
        saved = storage.save(path, DjangoFile(self.spool, name=self.wanted.filename))
        if saved != path:  # stored meanwhile by a fetcher that ran while the cache was down
            storage.delete(saved)

    def close(self):
        self.response.close()
        if self.spool is not None:
            self.spool.close()
            self.spool = None
            _release(self.wanted.path, self.token)
