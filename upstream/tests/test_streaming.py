"""First downloads of upstream files: streamed to the client and into storage at once, checked,
fetched once for concurrent requests. Real HTTP on both sides (the live server, a static upstream)."""

import base64
import http.client
import logging
import os
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from prometheus_client import REGISTRY

from packages.storage import package_storage
from upstream import files, streaming
from upstream.models import UpstreamFile

from .helpers import stored_soon

pytestmark = pytest.mark.django_db(transaction=True)


def _big(upstream, name):
    """A wheel of about 3 MB (random text does not deflate), well past the pre-read window."""
    filename = upstream.add(name, "1.0", description=base64.b64encode(os.urandom(2_300_000)).decode())
    _, data, sha = upstream.projects[name][0]
    assert len(data) > 2 * streaming.PREREAD_BYTES
    return filename, data, sha


def _get(url, timeout=30):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read()


def _metric(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def proxied(settings, upstream, index_url):
    """proxied(name, filename, sha) -> this index's URL of the file (its page already cached)."""
    settings.UPSTREAM_INDEX_URL = upstream.url

    def url(name, filename, sha, metadata=False):
        assert _get(f"{index_url}/simple/{name}/")[0] == 200
        return index_url + files.url_path(name, sha, filename) + (".metadata" if metadata else "")

    return url


@pytest.mark.parametrize("metadata", [False, True])
def test_concurrent_first_requests_fetch_once(proxied, settings, upstream, metadata):
    settings.UPSTREAM_FETCH_AHEAD_MAX_BYTES = 0  # the clients' own requests (test_ahead.py: with fetches ahead)
    filename = upstream.add("pub-c", "1.0", metadata_file=True)
    _, data, sha = upstream.projects["pub-c"][0]
    expected = upstream.metadata[filename] if metadata else data
    upstream.file_delay = 0.5  # the first fetch is still running when the others arrive
    url = proxied("pub-c", filename, sha, metadata)
    misses = _metric("pypi_upstream_cache_total", kind="file", result="miss")
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: _get(url), range(8)))
    assert answers == [(200, expected)] * 8
    assert upstream.hits(f"/files/{filename}" + (".metadata" if metadata else "")) == 1
    assert _metric("pypi_upstream_cache_total", kind="file", result="miss") == misses + 1
    stored = UpstreamFile.objects.get(path=files.storage_path(sha, filename + (".metadata" if metadata else "")))
    assert (stored.size, stored.is_metadata, stored.upstream) == (len(expected), metadata, "env")
    with package_storage().open(stored.path) as handle:
        assert handle.read() == expected


def test_bytes_reach_the_client_while_the_upstream_is_still_sending(proxied, upstream):
    filename, data, sha = _big(upstream, "pub-big")
    upstream.hold = threading.Event()  # the upstream sends half the file, then waits
    url = urlsplit(proxied("pub-big", filename, sha))
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        connection.request("GET", url.path)
        response = connection.getresponse()
        assert response.status == 200
        assert int(response.getheader("Content-Length")) == len(data)
        first = response.read(len(data) // 4)  # only possible if the proxy streams what it has
        assert first == data[: len(data) // 4]
        assert not package_storage().exists(files.storage_path(sha, filename))
        upstream.hold.set()
        assert first + response.read() == data
    finally:
        connection.close()
    assert stored_soon(files.storage_path(sha, filename))
    assert _get(url.geturl()) == (200, data)
    assert upstream.hits(f"/files/{filename}") == 1


def test_mismatch_found_mid_stream_cuts_the_stream_short_and_stores_nothing(client, settings, upstream, caplog):
    settings.UPSTREAM_INDEX_URL = upstream.url
    filename, data, sha = _big(upstream, "pub-evil-big")
    upstream.tamper(filename, same_size=True)  # the same length: only the digest can tell
    client.get("/simple/pub-evil-big/")
    integrity = _metric("pypi_upstream_errors_total", upstream="env", kind="file", reason="integrity")
    caplog.set_level(logging.ERROR, logger="upstream.streaming")
    response = client.get(files.url_path("pub-evil-big", sha, filename))
    assert response.status_code == 200  # headers go out before the last byte is read
    received = []
    with pytest.raises(streaming.IntegrityFailure):  # the WSGI server cuts the connection
        for chunk in response.streaming_content:
            received.append(chunk)
    assert data.startswith(b"".join(received)) and len(b"".join(received)) < len(data)
    assert not package_storage().exists(files.storage_path(sha, filename))
    assert not UpstreamFile.objects.filter(filename=filename).exists()
    assert any("integrity failure" in r.getMessage() and filename in r.getMessage() for r in caplog.records)
    assert _metric("pypi_upstream_errors_total", upstream="env", kind="file", reason="integrity") == integrity + 1
    assert cache.get(streaming._lock_key(files.storage_path(sha, filename))) is None  # no lock left behind


def test_a_client_that_leaves_still_gets_the_file_stored(client, settings, upstream):
    settings.UPSTREAM_INDEX_URL = upstream.url
    filename, data, sha = _big(upstream, "pub-left")
    client.get("/simple/pub-left/")
    response = client.get(files.url_path("pub-left", sha, filename))
    next(iter(response.streaming_content))
    response.close()  # as the WSGI server does when the client hangs up
    with package_storage().open(files.storage_path(sha, filename)) as handle:
        assert handle.read() == data


def test_a_waiter_past_its_wait_fetches_without_storing(client, settings, upstream):
    settings.UPSTREAM_INDEX_URL = upstream.url
    settings.UPSTREAM_FILE_WAIT_SECONDS = 0.2
    filename = upstream.add("pub-w", "1.0")
    _, data, sha = upstream.projects["pub-w"][0]
    client.get("/simple/pub-w/")
    cache.set(streaming._lock_key(files.storage_path(sha, filename)), "a stuck fetcher", 30)
    response = client.get(files.url_path("pub-w", sha, filename))
    assert b"".join(response.streaming_content) == data
    assert not package_storage().exists(files.storage_path(sha, filename))


def test_fetched_bytes_and_file_hits_are_counted(client, settings, upstream):
    settings.UPSTREAM_INDEX_URL = upstream.url
    filename = upstream.add("pub-n", "1.0")
    _, data, sha = upstream.projects["pub-n"][0]
    client.get("/simple/pub-n/")
    fetched = _metric("pypi_upstream_fetched_bytes_total", upstream="env")
    requests = _metric("pypi_upstream_requests_total", upstream="env", kind="file")
    hits = _metric("pypi_upstream_cache_total", kind="file", result="hit")
    url = files.url_path("pub-n", sha, filename)
    for _ in range(3):
        assert b"".join(client.get(url).streaming_content) == data
    assert _metric("pypi_upstream_fetched_bytes_total", upstream="env") == fetched + len(data)
    assert _metric("pypi_upstream_requests_total", upstream="env", kind="file") == requests + 1
    assert _metric("pypi_upstream_cache_total", kind="file", result="hit") == hits + 2
    assert _metric("pypi_upstream_request_duration_seconds_count", upstream="env", kind="file") >= 1


def test_ensure_stored_fetches_once_for_a_prefetch(settings, upstream):
    settings.UPSTREAM_INDEX_URL = upstream.url
    filename, data, sha = _big(upstream, "pub-pre")
    from upstream import pages

    pages.lookup("pub-pre")
    wanted = files.find("pub-pre", sha, filename)
    assert streaming.ensure_stored(wanted) == streaming.ensure_stored(wanted) == wanted.path
    with package_storage().open(wanted.path) as handle:
        assert handle.read() == data
    assert upstream.hits(f"/files/{filename}") == 1
