"""What the request observer (metrics + log line + request id) costs pip's requests.

Calls the WSGI application in-process, as gunicorn does, for GET /simple/<small project>/
(a page-cache hit: the installers' short path), with and without
core.instrument.RequestObserverMiddleware in the short chain, in alternating rounds, and
prints the CPU time per request of each (thread time: the machine may be shared). The log line goes to /dev/null through the
production (JSON) formatter. Run it as gunicorn runs the app:

    .venv/bin/python bench/request_overhead.py                       # one process's metrics
    PROMETHEUS_MULTIPROC_DIR=$(mktemp -d) .venv/bin/python bench/request_overhead.py
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["PYPIAPP_VAR_DIR"] = tempfile.mkdtemp(prefix="bench-overhead-")
os.environ.pop("DATABASE_URL", None)
os.environ.update(DJANGO_SETTINGS_MODULE="pypiapp.settings", LOG_FORMAT="json", DEBUG="0")

import django

django.setup()

from django.conf import settings
from django.core.management import call_command

from devtools.testing import wsgi

OBSERVER = "core.instrument.RequestObserverMiddleware"
ROUNDS, PER_ROUND = 60, 300


def environ(path):
    return wsgi.environ(
        "GET",
        path,
        remote_addr="127.0.0.1",
        accept="application/vnd.pypi.simple.v1+json",
        accept_encoding="gzip",
        user_agent="pip/25.0",
    )


def build_app(with_observer):
    from pypiapp.handlers import Application

    middleware = list(settings.INSTALLER_MIDDLEWARE)
    if not with_observer:
        middleware.remove(OBSERVER)
    saved = settings.INSTALLER_MIDDLEWARE
    settings.INSTALLER_MIDDLEWARE = middleware
    try:
        return Application()
    finally:
        settings.INSTALLER_MIDDLEWARE = saved


def per_request_us(app, path, count):
    def start_response(status, headers, exc_info=None):
        assert status.startswith("200"), status

    started = time.thread_time()
    for _ in range(count):
        body = app(environ(path), start_response)
        body.close()
    return (time.thread_time() - started) / count * 1e6


def main():
    import logging

    call_command("migrate", verbosity=0)
    from accounts.tests.factories import UserFactory
    from devtools.publish import publish

    publish(UserFactory(username="bench"), "small-pkg", "1.0")
    handler = logging.StreamHandler(open(os.devnull, "w"))  # open for the whole run
    from core.logs import JsonFormatter, RequestIdFilter

    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    request_logger = logging.getLogger("index")
    request_logger.handlers = [handler]
    request_logger.setLevel(logging.INFO)

    apps = {"without observer": build_app(False), "with observer": build_app(True), "log off": build_app(True)}
    path = "/simple/small-pkg/"
    for app in apps.values():
        per_request_us(app, path, 500)  # warm: page cache, connections, label children
    samples = {name: [] for name in apps}
    for _ in range(ROUNDS):
        for name, app in apps.items():
            # "log off": the observer with LOG_REQUESTS=0 (metrics and request id only).
            request_logger.setLevel(logging.WARNING if name == "log off" else logging.INFO)
            samples[name].append(per_request_us(app, path, PER_ROUND))
    mode = "multiprocess files" if os.environ.get("PROMETHEUS_MULTIPROC_DIR") else "in-process registry"
    print(f"GET {path} in-process, metrics in {mode}, median of {ROUNDS} rounds of {PER_ROUND}:")
    for name, values in samples.items():
        low = statistics.quantiles(values, n=4)[0]
        print(
            f"  {name:<17} median {statistics.median(values):7.1f}  lower quartile {low:7.1f}  "
            f"min {min(values):7.1f} µs/request"
        )
    # The machine is shared: the lower quartile and the minimum are the least disturbed figures.
    for figure, pick in (("lower quartile", lambda v: statistics.quantiles(v, n=4)[0]), ("min", min)):
        for name in ("with observer", "log off"):
            added = pick(samples[name]) - pick(samples["without observer"])
            print(f"  added by {name:<14} ({figure}) {added:7.1f} µs/request")


if __name__ == "__main__":
    main()
