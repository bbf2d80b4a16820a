"""Fetching ahead of an installer (upstream/ahead.py): the metadata file a page read leads to,
the pages of a metadata file's dependencies, the file it describes; and what a first download
trusts as stored (upstream/stored.py is_stored). Real HTTP on both sides: the live server and a
static upstream."""

import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connections
from django.utils import timezone
from prometheus_client import REGISTRY

from accounts.tests.factories import UserFactory
from devtools.publish import publish
from packages.storage import package_storage
from upstream import ahead, files, pages, stored, streaming
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
    project's page is cached, and what its reading fetched ahead is stored."""
    settings.UPSTREAM_INDEX_URL = upstream.url
    filename = upstream.add("pub-ahead", "1.0", metadata_file=True)
    _, data, sha = upstream.projects["pub-ahead"][0]
    assert _get(f"{index_url}/simple/pub-ahead/")[0] == 200
    assert ahead.wait_idle()
    return index_url + files.url_path("pub-ahead", sha, filename), data, files.storage_path(sha, filename)


def _name(path):
    return path.rsplit("/", 1)[1]


def test_a_page_read_gets_the_metadata_file_a_client_reads_next_stored_ahead(upstream, wheel):
    url, _, path = wheel
    assert UpstreamFile.objects.filter(path=path + files.METADATA_SUFFIX, is_metadata=True).exists()
    assert not UpstreamFile.objects.filter(path=path).exists()  # the file waits for a client to pick it
    hits = _metric("hit")
    assert _get(url + ".metadata")[0] == 200
    assert _metric("hit") == hits + 1
    assert ahead.wait_idle()
    assert upstream.hits(f"/files/{_name(path)}.metadata") == 1


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
    assert _metric("hit") == hits + 3  # the metadata file was stored ahead by the page read


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
    assert _metric("miss") == misses  # both fetched ahead: the metadata file by the page read
    assert UpstreamFile.objects.filter(path=path).count() == 1


def test_a_page_read_walks_down_the_dependencies_a_client_will_ask_for(
    settings, upstream, index_url, own_package_storage
):
    """Requires-Dist of the page's likely metadata file: pages fetched, and their metadata files in
    turn; extras and other platforms' markers left out, and a local name never asked upstream."""
    settings.UPSTREAM_INDEX_URL = upstream.url
    publish(UserFactory(), "dep-local", "1.0", kinds=("wheel",))
    for name in ("dep-b", "dep-c", "dep-extra", "dep-local", "dep-win"):
        upstream.add(name, "1.0", metadata_file=True)
    requires = [
        "dep-b>=1",
        "dep-c; python_version >= '3'",
        "dep-extra; extra == 'test'",
        "dep-local",
        "dep-win; sys_platform == 'win32'",
    ]
    upstream.add("top-a", "1.0", metadata_file=True, requires_dist=requires)
    assert _get(f"{index_url}/simple/top-a/")[0] == 200
    assert ahead.wait_idle()
    for name in ("dep-b", "dep-c"):
        assert upstream.hits(f"/simple/{name}/") == 1
        filename = upstream.projects[name][0][0]
        assert upstream.hits(f"/files/{filename}.metadata") == 1
    for name in ("dep-extra", "dep-local", "dep-win"):
        assert upstream.hits(f"/simple/{name}/") == 0
    # The client's own requests find them cached.
    assert _get(f"{index_url}/simple/dep-b/")[0] == 200
    local_page = _get(f"{index_url}/simple/dep-local/")[1]
    assert b"dep_local-1.0-py3-none-any.whl" in local_page and b"/proxy/" not in local_page  # the local project's
    assert ahead.wait_idle()
    assert upstream.hits("/simple/dep-b/") == 1


def test_one_client_request_fetches_at_most_the_budget_ahead(
    settings, monkeypatch, upstream, index_url, own_package_storage
):
    settings.UPSTREAM_INDEX_URL = upstream.url
    monkeypatch.setattr(ahead, "BUDGET", 4)
    for number in range(6):  # chain-0 requires chain-1 requires ... chain-5
        requires = [f"chain-{number + 1}"] if number < 5 else []
        upstream.add(f"chain-{number}", "1.0", metadata_file=True, requires_dist=requires)
    assert _get(f"{index_url}/simple/chain-0/")[0] == 200
    assert ahead.wait_idle()
    # chain-0's metadata file, chain-1's page and metadata file, chain-2's page: four.
    assert [upstream.hits(f"/simple/chain-{n}/") for n in range(6)] == [1, 1, 1, 0, 0, 0]
    assert upstream.hits(f"/files/{upstream.projects['chain-2'][0][0]}.metadata") == 0


def test_concurrent_lookups_of_a_name_in_one_process_ask_the_upstream_once(settings, monkeypatch, upstream, index_url):
    settings.UPSTREAM_INDEX_URL = upstream.url
    upstream.add("pub-once", "1.0")
    ask = pages._ask_upstreams

    def slow_ask(*args):  # the real question, answered slowly: the other requests come meanwhile
        time.sleep(0.3)
        return ask(*args)

    monkeypatch.setattr(pages, "_ask_upstreams", slow_ask)
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: _get(f"{index_url}/simple/pub-once/"), range(4)))
    assert [status for status, _ in answers] == [200] * 4
    assert len({body for _, body in answers}) == 1
    assert upstream.hits("/simple/pub-once/") == 1


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


def test_a_lookup_waits_for_another_process_asking_and_takes_its_answer(settings, upstream):
    """The lock in the shared cache (Redis in production) stands for a lookup under way in
    another process: this one waits, and serves the answer that process puts in the cache."""
    settings.UPSTREAM_INDEX_URL = upstream.url
    upstream.add("pub-elsewhere", "1.0")
    first = pages.lookup("pub-elsewhere")
    pages.expire("pub-elsewhere")  # stale: the next lookup would ask the upstream
    cache.add(pages._asking_key("pub-elsewhere"), "another-process", 30)
    answers = []

    def look():
        answers.append(pages.lookup("pub-elsewhere"))
        connections.close_all()

    waiter = threading.Thread(target=look)
    waiter.start()
    time.sleep(0.2)
    assert not answers  # still waiting for the other process
    first.row.fetched_at = timezone.now()
    pages._remember(first.row)  # what the other process's answer leaves in the shared cache
    waiter.join(10)
    assert answers and answers[0].row.files == first.row.files
    assert upstream.hits("/simple/pub-elsewhere/") == 1  # only the first lookup's
    cache.delete(pages._asking_key("pub-elsewhere"))
