"""Files fetched ahead after a cold metadata fetch (upstream/ahead.py), and what a first download
trusts as stored (upstream/stored.py is_stored). Real HTTP on both sides: the live server and a
static upstream."""

import time
import urllib.request

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from prometheus_client import REGISTRY

from packages.storage import package_storage
from upstream import ahead, files, stored, streaming
from upstream.models import UpstreamFile

from .helpers import stored_soon

pytestmark = pytest.mark.django_db(transaction=True)


def _get(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read()


def _metric(result):
    return REGISTRY.get_sample_value("pypi_upstream_cache_total", {"kind": "file", "result": result}) or 0.0


@pytest.fixture
def wheel(settings, upstream, index_url, own_package_storage):
    """(this index's URL of a wheel with a metadata file, its bytes, its storage path); the
    project's page is cached."""
    settings.UPSTREAM_INDEX_URL = upstream.url
    filename = upstream.add("pub-ahead", "1.0", metadata_file=True)
    _, data, sha = upstream.projects["pub-ahead"][0]
    assert _get(f"{index_url}/simple/pub-ahead/")[0] == 200
    return index_url + files.url_path("pub-ahead", sha, filename), data, files.storage_path(sha, filename)


def _name(path):
    return path.rsplit("/", 1)[1]


def test_a_metadata_file_read_gets_its_file_stored_ahead_once(upstream, wheel):
    url, data, path = wheel
    hits = _metric("hit")
    assert _get(url + ".metadata")[0] == 200
    assert ahead.wait_idle()
    assert UpstreamFile.objects.get(path=path).size == len(data)
    with package_storage().open(path) as handle:
        assert handle.read() == data
    assert _get(url) == (200, data)  # served from storage
    assert _get(url + ".metadata")[0] == 200  # the file is stored: nothing fetched ahead again
    assert ahead.wait_idle()
    assert upstream.hits(f"/files/{_name(path)}") == 1
    assert upstream.hits(f"/files/{_name(path)}.metadata") == 1
    assert _metric("hit") == hits + 2


def test_a_download_during_the_fetch_ahead_waits_for_it_and_fetches_nothing(upstream, wheel):
    url, data, path = wheel
    upstream.file_delays[_name(path)] = 1.0  # the wheel's bytes are slow to come, its metadata's are not
    misses = _metric("miss")
    assert _get(url + ".metadata")[0] == 200
    deadline = time.monotonic() + 10
    while cache.get(streaming._lock_key(path)) is None:  # the fetch ahead holds the file's lock
        assert time.monotonic() < deadline, "the file was not fetched ahead"
        time.sleep(0.01)
    assert _get(url) == (200, data)  # waited for the fetch ahead, then served the stored copy
    assert ahead.wait_idle()
    assert upstream.hits(f"/files/{_name(path)}") == 1
    assert _metric("miss") == misses + 1  # the metadata file's; the wheel's own request was a hit
    assert UpstreamFile.objects.filter(path=path).count() == 1


@pytest.mark.parametrize("limit", [0, 100])
def test_files_larger_than_the_limit_or_with_it_off_are_not_fetched_ahead(settings, upstream, wheel, limit):
    settings.UPSTREAM_FETCH_AHEAD_MAX_BYTES = limit
    url, data, path = wheel
    assert _get(url + ".metadata")[0] == 200
    assert ahead.wait_idle()
    assert not UpstreamFile.objects.filter(path=path).exists()
    assert _get(url) == (200, data)
    assert upstream.hits("/files/" + _name(path)) == 1


def test_an_object_left_half_written_without_its_row_is_never_served_and_is_replaced(settings, upstream, wheel):
    settings.UPSTREAM_FETCH_AHEAD_MAX_BYTES = 0
    url, data, path = wheel
    # What a process killed while writing the object leaves: part of it, no row.
    package_storage().save(path, ContentFile(data[: len(data) // 2]))
    assert not stored.is_stored(path)
    assert _get(url) == (200, data)
    assert stored_soon(path)
    with package_storage().open(path) as handle:
        assert handle.read() == data
    assert UpstreamFile.objects.get(path=path).size == len(data)
    assert _get(url) == (200, data)
    assert upstream.hits("/files/" + _name(path)) == 1


def test_an_evicted_file_is_no_longer_taken_for_stored(settings, upstream, wheel):
    settings.UPSTREAM_FETCH_AHEAD_MAX_BYTES = 0
    url, data, path = wheel
    assert _get(url) == (200, data)
    assert stored_soon(path)  # and remembered in the cache
    stored.purge_project("pub-ahead")
    assert not stored.is_stored(path)
    assert _get(url) == (200, data)
    assert upstream.hits("/files/" + _name(path)) == 2
