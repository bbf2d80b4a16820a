"""First downloads through the upstream proxy: streamed while stored, and fetched once (issue 18).

    .venv/bin/python bench/upstream_first_download.py [--size-mb 24] [--rate-mb 24] [--clients 8]

A static upstream (devtools/testing/static_index.py) in this process serves one wheel of about
--size-mb, paced at --rate-mb per second like a distant index; this index runs under gunicorn
(2 sync workers, a Redis of its own for the fetch lock, SQLite, FILE_DELIVERY=django) with it as
UPSTREAM_INDEX_URL. Measured, each on a cold cache (the file purged, a new upload of bytes):

- one client: time to the first byte and to the last, next to the upstream's own;
- --clients at once: how many times the upstream was asked for the file, and their times;
- warm: the same file from storage.

Fetch-then-serve (before upstream/streaming.py) could send no byte before the whole transfer
and the store were done: its time to first byte is at least the upstream's time to the last.
"""

import argparse
import base64
import os
import statistics
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import servers
from run import database_url
from servers import WORK

from devtools.testing.servers import RedisServer
from devtools.testing.static_index import StaticIndex


def timed_get(url):
    """(seconds to the first byte, seconds to the last, bytes)."""
    started = time.monotonic()
    with urllib.request.urlopen(url, timeout=300) as response:
        first = response.read(1)
        ttfb = time.monotonic() - started
        size = len(first) + len(response.read())
    return ttfb, time.monotonic() - started, size


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=float, default=24)
    parser.add_argument("--rate-mb", type=float, default=24)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    var = WORK / "upstream-first-download"
    var.mkdir(parents=True, exist_ok=True)
    upstream = StaticIndex().start()
    upstream.rate = args.rate_mb * 1024 * 1024
    with RedisServer() as redis:
        db_url, _ = database_url("pypiapp_first_download", var)
        env = servers.app_env(
            db_url, var, UPSTREAM_INDEX_URL=upstream.url, UPSTREAM_LOOKUP_RATE="1000000/m", REDIS_URL=redis.url
        )
        servers.manage(env, "migrate", "--run-syncdb", "--noinput")
        app = servers.start_gunicorn(env, workers=2, name="gunicorn-first-download")
        try:
            rows = run(app.url, upstream, args)
        finally:
            app.stop()
            upstream.stop()
    for row in rows:
        print(row)


def _publish(upstream, name, size_mb):
    # Random text hardly deflates: the wheel is about the size of its description.
    filename = upstream.add(name, "1.0", description=base64.b64encode(os.urandom(int(size_mb * 786_432))).decode())
    _, data, sha = upstream.projects[name][0]
    return filename, data, sha


def run(base, upstream, args):
    def cold(name):
        filename, data, sha = _publish(upstream, name, args.size_mb)
        urllib.request.urlopen(f"{base}/simple/{name}/", timeout=30).read()
        return filename, data, f"{base}/proxy/{name}/{sha}/{filename}"  # upstream/files.py url_path

    filename, data, url = cold("bench-one")
    direct = timed_get(f"{upstream.url.removesuffix('/simple/')}/files/{filename}")
    one = timed_get(url)
    assert one[2] == len(data)
    warm = [timed_get(url) for _ in range(5)]

    filename, data, url = cold("bench-many")
    with ThreadPoolExecutor(args.clients) as pool:
        many = list(pool.map(lambda _: timed_get(url), range(args.clients)))
    assert all(size == len(data) for _, _, size in many)
    hits = upstream.hits(f"/files/{filename}")

    mb = len(data) / 1024 / 1024
    return [
        f"file: {mb:.1f} MiB, upstream paced at {args.rate_mb:g} MiB/s",
        f"upstream directly: first byte {direct[0] * 1000:.0f} ms, last byte {direct[1]:.2f} s",
        f"through the proxy, cold (streamed and stored): first byte {one[0] * 1000:.0f} ms, last byte {one[1]:.2f} s",
        f"  fetch-then-serve would send its first byte after >= {direct[1]:.2f} s (the whole transfer, then the store)",
        f"through the proxy, warm (from storage): median last byte {statistics.median(w[1] for w in warm) * 1000:.0f} ms",
        f"{args.clients} clients at once, cold: upstream asked {hits} time(s) for the file; "
        f"last byte median {statistics.median(m[1] for m in many):.2f} s, max {max(m[1] for m in many):.2f} s",
    ]


if __name__ == "__main__":
    main()
