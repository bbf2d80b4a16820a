"""Every Prometheus metric the index exports, defined here and only here.

Counters and histograms live in prometheus-client's default registry; under gunicorn each
worker writes them to files in PROMETHEUS_MULTIPROC_DIR (set it before the workers start, see
core/gunicorn.py) and /metrics adds up all workers' files. Values that are read from the
database or the dependencies at scrape time (readiness, outbox backlog) are collectors
registered with `scrape_collectors`, run by the /metrics view only.

The helpers below are what the rest of the code calls; request metrics keep their label
children pre-bound (one dict lookup per request, no label validation on the hot path).
"""

from prometheus_client import Counter, Histogram

PREFIX = "pypi_"

# Latency buckets (seconds): pip's simple pages are milliseconds, uploads can take seconds.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

HTTP_REQUESTS = Counter(
    f"{PREFIX}http_requests",
    "HTTP requests answered, by route name, method and status.",
    ["route", "method", "status"],
)
HTTP_DURATION = Histogram(
    f"{PREFIX}http_request_duration_seconds",
    "Time from the request reaching Django to its response headers, by route name and method.",
    ["route", "method"],
    buckets=LATENCY_BUCKETS,
)
RATE_LIMIT_REFUSALS = Counter(
    f"{PREFIX}rate_limit_refusals",
    "Requests refused by a rate limit (answered 429), by route name.",
    ["route"],
)
UPLOADS_ACCEPTED = Counter(f"{PREFIX}uploads_accepted", "Distribution files stored by an upload.")
UPLOAD_REFUSALS = Counter(
    f"{PREFIX}upload_refusals",
    "Uploads refused, by the refusal's code (the JSON error body's `code`).",
    ["code"],
)
STORED_BYTES = Counter(f"{PREFIX}stored_bytes", "Bytes of distribution files written to package storage.")
PAGE_CACHE_HITS = Counter(
    f"{PREFIX}page_cache_hits",
    "Rendered pages (simple, json) found in the page cache.",
    ["page"],
)
PAGE_CACHE_MISSES = Counter(
    f"{PREFIX}page_cache_misses",
    "Rendered pages (simple, json) that had to be rendered.",
    ["page"],
)
TASKS = Counter(
    f"{PREFIX}tasks",
    "Background task messages, by actor and outcome (sent, succeeded, failed, retried).",
    ["actor", "outcome"],
)
FALLBACKS = Counter(
    f"{PREFIX}degraded_fallbacks",
    "Operations answered by a fallback because a dependency failed (core/degraded.py), "
    "by component (cache, broker, database, outbox).",
    ["component"],
)
UPSTREAM_REQUESTS = Counter(
    f"{PREFIX}upstream_requests",
    "Requests sent to upstream indexes, by upstream and kind (page, file, metadata, json).",
    ["upstream", "kind"],
)
UPSTREAM_ERRORS = Counter(
    f"{PREFIX}upstream_errors",
    "Upstream requests that failed, by upstream, kind and reason "
    "(timeout, unreachable, status, unparsable, too_large, integrity).",
    ["upstream", "kind", "reason"],
)
UPSTREAM_DURATION = Histogram(
    f"{PREFIX}upstream_request_duration_seconds",
    "Time an upstream request took (a page: the whole page; a file: the whole transfer), by upstream and kind.",
    ["upstream", "kind"],
    buckets=LATENCY_BUCKETS,
)
UPSTREAM_CACHE = Counter(
    f"{PREFIX}upstream_cache",
    "Upstream pages and files asked of this index, by kind (page, file) and result "
    "(hit: served from the cache; revalidated: the upstream said it is unchanged; miss: fetched; "
    "ahead: a file fetched ahead of its download, upstream/ahead.py).",
    ["kind", "result"],
)
UPSTREAM_FETCHED_BYTES = Counter(
    f"{PREFIX}upstream_fetched_bytes", "Bytes of files received from upstream indexes, by upstream.", ["upstream"]
)
UPSTREAM_STALE_PAGES = Counter(
    f"{PREFIX}upstream_stale_pages",
    "Upstream pages served from the last copy (the upstreams failed, or the client's lookup limit was reached).",
    ["upstream"],
)
# Names of the scrape-time gauges (built by the collectors in ops/collectors.py).
READY = f"{PREFIX}ready"
DEPENDENCY_UP = f"{PREFIX}dependency_up"
STORAGE_BYTES = f"{PREFIX}storage_bytes"
OUTBOX_BACKLOG = f"{PREFIX}outbox_backlog"
OUTBOX_FAILING = f"{PREFIX}outbox_failing"
OUTBOX_OLDEST = f"{PREFIX}outbox_oldest_seconds"

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
TASK_OUTCOMES = ("sent", "succeeded", "failed", "retried")

_request_children: dict = {}


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    if method not in METHODS:
        method = "other"  # any word is a method to HTTP: keep labels (and this dict) bounded
    key = (route, method, status)
    children = _request_children.get(key)
    if children is None:
        children = (
            HTTP_REQUESTS.labels(route, method, str(status)),
            HTTP_DURATION.labels(route, method),
            RATE_LIMIT_REFUSALS.labels(route) if status == 429 else None,
        )
        _request_children[key] = children
    requests, duration, refused = children
    requests.inc()
    duration.observe(seconds)
    if refused is not None:
        refused.inc()


def upload_refused(code: str) -> None:
    UPLOAD_REFUSALS.labels(code).inc()


def upload_stored(size: int) -> None:
    UPLOADS_ACCEPTED.inc()
    STORED_BYTES.inc(size)


_page_children: dict = {}


def page_cache(page: str, hit: bool) -> None:
    """A page-cache lookup for `page` ("simple" or "json")."""
    key = (page, hit)
    child = _page_children.get(key)
    if child is None:
        child = _page_children[key] = (PAGE_CACHE_HITS if hit else PAGE_CACHE_MISSES).labels(page)
    child.inc()


def upstream_request(upstream: str, kind: str) -> None:
    UPSTREAM_REQUESTS.labels(upstream, kind).inc()


def upstream_error(upstream: str, kind: str, reason: str) -> None:
    UPSTREAM_ERRORS.labels(upstream, kind, reason).inc()


def upstream_duration(upstream: str, kind: str, seconds: float) -> None:
    UPSTREAM_DURATION.labels(upstream, kind).observe(seconds)


def upstream_cache(kind: str, result: str) -> None:
    UPSTREAM_CACHE.labels(kind, result).inc()


def upstream_fetched(upstream: str, size: int) -> None:
    UPSTREAM_FETCHED_BYTES.labels(upstream).inc(size)


def upstream_stale_page(upstream: str) -> None:
    UPSTREAM_STALE_PAGES.labels(upstream).inc()


def task(actor: str, outcome: str) -> None:
    TASKS.labels(actor, outcome).inc()


def count_fallback(sender: object, **kwargs: object) -> None:
    """Receiver of core.degraded's `degraded` signal (connected in ops/apps.py)."""
    FALLBACKS.labels(str(sender)).inc()
