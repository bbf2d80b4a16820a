"""HTTP to upstream indexes (stdlib urllib, bounded in time and size), counted per upstream in
the metrics, and parsing their pages with pypi-simple (PEP 691 JSON preferred, PEP 503 HTML
understood). Pages are revalidated with a conditional GET (If-None-Match)."""

import base64
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from pypi_simple import ProjectPage

from core import metrics

ACCEPT = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1"
MAX_PAGE_BYTES = 20 * 1024 * 1024
MAX_JSON_BYTES = 20 * 1024 * 1024
# Metric kinds of upstream requests.
PAGE, FILE, METADATA, JSON_API = "page", "file", "metadata", "json"


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


def _request(upstream, url, headers):
    headers = {"User-Agent": "package-index-proxy", **headers}
    if upstream.username or upstream.password:
        token = base64.b64encode(f"{upstream.username}:{upstream.password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    return urllib.request.Request(url, headers=headers)


def open_url(upstream, url, timeout, kind, headers=None):
    """An open response for `url` (http/https only); NotFound on 404, NotModified on 304,
    UpstreamError otherwise. Counted as a request of `kind` to `upstream` (and as an error)."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise UpstreamError(f"refusing a non-http URL from upstream {upstream.name}", reason="refused")
    metrics.upstream_request(upstream.name, kind)
    try:
        return urllib.request.urlopen(_request(upstream, url, headers or {}), timeout=timeout)
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code == 304:
            raise NotModified(url) from None
        if exc.code in (404, 410):
            raise NotFound(url) from None
        error = UpstreamError(f"upstream {upstream.name} answered {exc.code}", reason="status")
    except TimeoutError:
        error = UpstreamError(f"upstream {upstream.name} timed out", timeout=True)
    except (urllib.error.URLError, OSError) as exc:
        timed_out = isinstance(getattr(exc, "reason", None), TimeoutError)
        error = UpstreamError(f"upstream {upstream.name} unreachable: {exc}", timeout=timed_out)
    metrics.upstream_error(upstream.name, kind, error.reason)
    raise error


def read_bounded(upstream, response, limit, kind):
    try:
        body = response.read(limit + 1)
    except (TimeoutError, OSError) as exc:
        error = UpstreamError(
            f"upstream {upstream.name} failed mid-answer: {exc}", timeout=isinstance(exc, TimeoutError)
        )
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
