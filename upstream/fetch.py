"""HTTP to upstream indexes (stdlib urllib, bounded in time and size) and parsing their pages
with pypi-simple (PEP 691 JSON preferred, PEP 503 HTML understood)."""

import base64
import json
import time
import urllib.error
import urllib.request
from urllib.parse import quote, urlsplit

from pypi_simple import ProjectPage

ACCEPT = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1"
MAX_PAGE_BYTES = 20 * 1024 * 1024


class UpstreamError(Exception):
    """The upstream failed (network, timeout, 5xx, unparsable page)."""

    def __init__(self, message, timeout=False):
        super().__init__(message)
        self.timeout = timeout


class NotFound(Exception):
    """The upstream does not know the name."""


def _request(upstream, url, accept=None):
    headers = {"User-Agent": "package-index-proxy"}
    if accept:
        headers["Accept"] = accept
    if upstream.username or upstream.password:
        token = base64.b64encode(f"{upstream.username}:{upstream.password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    return urllib.request.Request(url, headers=headers)


def open_url(upstream, url, timeout, accept=None):
    """An open response for `url` (http/https only); NotFound on 404, UpstreamError otherwise."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise UpstreamError(f"refusing a non-http URL from upstream {upstream.name}")
    try:
        return urllib.request.urlopen(_request(upstream, url, accept), timeout=timeout)
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code in (404, 410):
            raise NotFound(url) from None
        raise UpstreamError(f"upstream {upstream.name} answered {exc.code}") from None
    except TimeoutError:
        raise UpstreamError(f"upstream {upstream.name} timed out", timeout=True) from None
    except (urllib.error.URLError, OSError) as exc:
        timed_out = isinstance(getattr(exc, "reason", None), TimeoutError)
        raise UpstreamError(f"upstream {upstream.name} unreachable: {exc}", timeout=timed_out) from None


def project_page(upstream, normalized_name, deadline):
    """The upstream's page for the name as a ProjectPage, within `deadline` (time.monotonic())."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise UpstreamError("upstream time budget spent", timeout=True)
    url = upstream.url + quote(normalized_name) + "/"
    with open_url(upstream, url, remaining, ACCEPT) as response:
        try:
            body = response.read(MAX_PAGE_BYTES + 1)
        except TimeoutError:
            raise UpstreamError(f"upstream {upstream.name} timed out", timeout=True) from None
        if len(body) > MAX_PAGE_BYTES:
            raise UpstreamError(f"upstream {upstream.name} page too large")
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        base_url = response.geturl()
    try:
        if content_type.endswith("+json") or content_type == "application/json":
            return ProjectPage.from_json_data(json.loads(body), base_url=base_url)
        return ProjectPage.from_html(normalized_name, body, base_url=base_url)
    except Exception as exc:  # noqa: BLE001 (any parse failure is the upstream's fault)
        raise UpstreamError(f"upstream {upstream.name} sent an unparsable page: {exc}") from None
