"""HTTP to upstream indexes (bounded in time and size), counted per upstream in the metrics, and
parsing their pages with pypi-simple (PEP 691 JSON preferred, PEP 503 HTML understood). Pages
are revalidated with a conditional GET (If-None-Match).

One HTTP session per process (urllib3's pool manager): a cold install asks the upstream for
dozens of pages and files one after the other, and an upstream that keeps connections alive
(pypi.org does) is not asked to set up TCP and TLS again for each of them."""

import base64
import json
import os
import threading
import time
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

import urllib3
from pypi_simple import ProjectPage

from core import metrics

ACCEPT = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1"
MAX_PAGE_BYTES = 20 * 1024 * 1024
MAX_JSON_BYTES = 20 * 1024 * 1024
# Metric kinds of upstream requests.
PAGE, FILE, METADATA, JSON_API = "page", "file", "metadata", "json"
# Idle connections kept per upstream host: a request thread and the fetch-ahead thread
# (upstream/ahead.py) of a process, with room to spare; more are opened and then dropped.
CONNECTIONS_PER_HOST = 4
# Redirects followed (an index may move its files); no request is retried: a failure falls back
# to the cached copy at once, within the caller's time budget.
MAX_REDIRECTS = 5
# What reading an upstream's answer can raise (the session's errors are urllib3's own).
READ_ERRORS = (TimeoutError, OSError, urllib3.exceptions.HTTPError)
_session = {"pid": None, "pool": None}
_session_guard = threading.Lock()


def is_timeout(exc):
    """Whether a failure of the session (or of a read) was a timeout."""
    exc = getattr(exc, "reason", None) or exc  # the session's MaxRetryError says what happened
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        return False  # refused, or no route: a ConnectTimeoutError only by urllib3's class tree
    return isinstance(exc, (TimeoutError, urllib3.exceptions.TimeoutError))


def _pool():
    """This process's session (a forked worker makes its own: sockets are not shared)."""
    with _session_guard:
        if _session["pid"] != os.getpid():
            _session.update(pid=os.getpid(), pool=urllib3.PoolManager(maxsize=CONNECTIONS_PER_HOST))
        return _session["pool"]


class UpstreamError(Exception):
    """The upstream failed (network, timeout, 5xx, unparsable page); `reason` labels the metric."""

    def __init__(self, message, timeout=False, reason="unreachable"):
        super().__init__(message)
        self.timeout = timeout
        self.reason = "timeout" if timeout else reason


class NotFound(Exception):
    """The upstream does not know the name."""


class NotModified(Exception):
    """The upstream says the page is unchanged since the ETag we sent."""


@dataclass
class PageAnswer:
    page: ProjectPage
    etag: str  # "" when the upstream sent none
    serial: int | None  # X-PyPI-Last-Serial, when the upstream sends it


def _headers(upstream, headers):
    headers = {"User-Agent": "package-index-proxy", **headers}
    if upstream.username or upstream.password:
        token = base64.b64encode(f"{upstream.username}:{upstream.password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    return headers


class Response:
    """An upstream's answer being read: `read(n)`, `headers`, `geturl()`; a context manager.
    Closing it hands its connection back to the session when the body was read to its end."""

    def __init__(self, url, answer):
        self._url, self._answer = url, answer
        self.status, self.headers = answer.status, answer.headers

    def read(self, amount):
        return self._answer.read(amount, decode_content=False)

    def geturl(self):
        """The absolute URL answered, after redirects (which may give relative locations)."""
        url = self._url
        for step in self._answer.retries.history if self._answer.retries else ():
            if step.redirect_location:
                url = urljoin(url, step.redirect_location)
        return url

    def close(self):
        if not (self._answer.closed or self._answer.isclosed()):
            self._answer.close()  # bytes left unread on it: never reused
        self._answer.release_conn()  # read to its end, the connection serves the next request

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def open_url(upstream, url, timeout, kind, headers=None):
    """An open Response for `url` (http/https only); NotFound on 404, NotModified on 304,
    UpstreamError otherwise. Counted as a request of `kind` to `upstream` (and as an error)."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise UpstreamError(f"refusing a non-http URL from upstream {upstream.name}", reason="refused")
    metrics.upstream_request(upstream.name, kind)
    try:
        answer = _pool().urlopen(
            "GET",
            url,
            headers=_headers(upstream, headers or {}),
            timeout=urllib3.Timeout(connect=timeout, read=timeout),
            retries=urllib3.Retry(total=None, connect=0, read=0, status=0, other=0, redirect=MAX_REDIRECTS),
            preload_content=False,
            decode_content=False,
        )
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        timed_out = is_timeout(exc)
        reason = getattr(exc, "reason", None) or exc
        error = UpstreamError(
            f"upstream {upstream.name} {'timed out' if timed_out else f'unreachable: {reason}'}", timeout=timed_out
        )
    else:
        if answer.status < 300:
            return Response(url, answer)
        answer.drain_conn()
        answer.release_conn()
        if answer.status == 304:
            raise NotModified(url)
        if answer.status in (404, 410):
            raise NotFound(url)
        error = UpstreamError(f"upstream {upstream.name} answered {answer.status}", reason="status")
    metrics.upstream_error(upstream.name, kind, error.reason)
    raise error


def read_bounded(upstream, response, limit, kind):
    try:
        body = response.read(limit + 1)
    except READ_ERRORS as exc:
        error = UpstreamError(f"upstream {upstream.name} failed mid-answer: {exc}", timeout=is_timeout(exc))
        metrics.upstream_error(upstream.name, kind, error.reason)
        raise error from None
    if len(body) > limit:
        metrics.upstream_error(upstream.name, kind, "too_large")
        raise UpstreamError(f"upstream {upstream.name} answer too large", reason="too_large")
    return body


def _remaining(deadline):
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise UpstreamError("upstream time budget spent", timeout=True)
    return remaining


def _serial(headers):
    try:
        return int(headers.get("X-PyPI-Last-Serial", ""))
    except ValueError:
        return None


def project_page(upstream, normalized_name, deadline, etag=""):
    """The upstream's page for the name as a PageAnswer, within `deadline` (time.monotonic());
    NotModified when `etag` still stands."""
    url = upstream.url + quote(normalized_name) + "/"
    started = time.monotonic()
    with open_url(
        upstream, url, _remaining(deadline), PAGE, {"Accept": ACCEPT, **({"If-None-Match": etag} if etag else {})}
    ) as response:
        body = read_bounded(upstream, response, MAX_PAGE_BYTES, PAGE)
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        base_url = response.geturl()
        answer_etag = response.headers.get("ETag", "")[:200]
        serial = _serial(response.headers)
    metrics.upstream_duration(upstream.name, PAGE, time.monotonic() - started)
    try:
        if content_type.endswith("+json") or content_type == "application/json":
            page = ProjectPage.from_json_data(json.loads(body), base_url=base_url)
        else:
            page = ProjectPage.from_html(normalized_name, body, base_url=base_url)
    except Exception as exc:  # noqa: BLE001 (any parse failure is the upstream's fault)
        metrics.upstream_error(upstream.name, PAGE, "unparsable")
        raise UpstreamError(f"upstream {upstream.name} sent an unparsable page: {exc}", reason="unparsable") from None
    return PageAnswer(page, answer_etag, serial)


def json_api_url(upstream, normalized_name, version=None):
    """The upstream's JSON API document URL (pypi.org's /pypi/<name>/json beside /simple/), or
    None when its simple URL does not end in /simple/ (no JSON API known)."""
    if not upstream.url.endswith("/simple/"):
        return None
    base = upstream.url[: -len("simple/")] + "pypi/" + quote(normalized_name) + "/"
    return base + (quote(version) + "/" if version else "") + "json"


def json_document(upstream, normalized_name, timeout, version=None):
    """The upstream's JSON API document (a dict) for the project (or one version); NotFound when
    it has none, UpstreamError when it failed or has no JSON API."""
    url = json_api_url(upstream, normalized_name, version)
    if url is None:
        raise NotFound(f"upstream {upstream.name} has no JSON API")
    started = time.monotonic()
    with open_url(upstream, url, timeout, JSON_API, {"Accept": "application/json"}) as response:
        body = read_bounded(upstream, response, MAX_JSON_BYTES, JSON_API)
    metrics.upstream_duration(upstream.name, JSON_API, time.monotonic() - started)
    try:
        document = json.loads(body)
    except ValueError:
        metrics.upstream_error(upstream.name, JSON_API, "unparsable")
        raise UpstreamError(f"upstream {upstream.name} sent unparsable JSON", reason="unparsable") from None
    if not isinstance(document, dict) or not isinstance(document.get("info"), dict):
        metrics.upstream_error(upstream.name, JSON_API, "unparsable")
        raise UpstreamError(f"upstream {upstream.name} sent a JSON document without info", reason="unparsable")
    return document
