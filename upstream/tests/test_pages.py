"""Upstream pages through /simple/<name>/ with a live static upstream on loopback."""

import json

import pytest

from accounts.tests.factories import UserFactory
from devtools.publish import publish
from devtools.testing.net import free_port
from packages.models import ProhibitedProjectName, Project
from packages.storage import package_storage
from upstream import files
from upstream.models import UpstreamIndex, UpstreamProject

pytestmark = pytest.mark.django_db

JSON = "application/vnd.pypi.simple.v1+json"


def test_nothing_configured_nothing_fetched(client, upstream):
    upstream.add("pub-a", "1.0")
    UpstreamIndex.objects.create(name="off", url=upstream.url, enabled=False)
    assert client.get("/simple/pub-a/").status_code == 404
    assert upstream.requests == []
    assert not UpstreamProject.objects.exists()


def test_json_page_rewritten_to_this_index(client, settings, upstream):
    settings.UPSTREAM_INDEX_URL = upstream.url
    filename = upstream.add("pub-a", "1.0")
    sha = upstream.projects["pub-a"][0][2]
    response = client.get("/simple/pub-a/", HTTP_ACCEPT=JSON)
    assert response.status_code == 200
    doc = json.loads(response.content)
    assert doc["versions"] == ["1.0"]
    (entry,) = doc["files"]
    assert entry["url"] == f"/proxy/pub-a/{sha}/{filename}"
    assert entry["hashes"] == {"sha256": sha}
    assert entry["requires-python"] == ">=3.8"
    assert entry["size"] == len(upstream.projects["pub-a"][0][1])
    html = client.get("/simple/pub-a/").content.decode()
    assert f'href="/proxy/pub-a/{sha}/{filename}#sha256={sha}"' in html


def test_html_upstream_from_the_admin(client, upstream):
    upstream.json_pages = False
    UpstreamIndex.objects.create(name="corp", url=upstream.url, priority=1)
    filename = upstream.add("pub-b", "2.0")
    response = client.get("/simple/pub-b/", HTTP_ACCEPT=JSON)
    assert response.status_code == 200
    assert response["X-Upstream"] == "corp"
    assert [f["filename"] for f in json.loads(response.content)["files"]] == [filename]


def test_cached_then_stale_with_warning_when_upstream_down(client, settings, upstream):
    settings.UPSTREAM_INDEX_URL = upstream.url
    upstream.add("pub-a", "1.0")
    assert client.get("/simple/pub-a/").status_code == 200
    assert client.get("/simple/pub-a/").status_code == 200
    assert upstream.requests.count("/simple/pub-a/") == 1  # the second came from the cache
    upstream.stop()
    settings.UPSTREAM_CACHE_SECONDS = 0
    from django.core.cache import cache

    cache.clear()  # a restart: only the database row is left
    response = client.get("/simple/pub-a/")
    assert response.status_code == 200
    assert "stale" in response["Warning"]


def test_unknown_name_upstream_down_is_502(client, settings):
    settings.UPSTREAM_INDEX_URL = f"http://127.0.0.1:{free_port()}/simple/"
    response = client.get("/simple/never-seen/")
    assert response.status_code == 502
    assert b"unavailable" in response.content


def test_misses_are_remembered(client, settings, upstream):
    settings.UPSTREAM_INDEX_URL = upstream.url
    assert client.get("/simple/nobody-has-it/").status_code == 404
    assert client.get("/simple/nobody-has-it/").status_code == 404
    assert upstream.requests == ["/simple/nobody-has-it/"]


@pytest.mark.parametrize("status", [Project.Status.QUARANTINED, Project.Status.ACTIVE])
def test_local_names_never_asked_upstream(client, settings, upstream, status):
    settings.UPSTREAM_INDEX_URL = upstream.url
    upstream.add("mine", "9.0")
    release = publish(UserFactory(), "mine", "1.0", kinds=("wheel",))
    Project.objects.filter(pk=release.project_id).update(status=status)
    response = client.get("/simple/mine/", HTTP_ACCEPT=JSON)
    if status == Project.Status.QUARANTINED:
        assert response.status_code == 404
    else:
        assert json.loads(response.content)["versions"] == ["1.0"]
    assert upstream.requests == []


def test_prohibited_names_never_asked_upstream(client, settings, upstream):
    settings.UPSTREAM_INDEX_URL = upstream.url
    upstream.add("reserved-x", "1.0")
    ProhibitedProjectName.objects.create(name="reserved-x")
    assert client.get("/simple/reserved-x/").status_code == 404
    assert upstream.requests == []


def test_file_fetched_once_then_from_storage(client, settings, upstream):
    settings.UPSTREAM_INDEX_URL = upstream.url
    filename = upstream.add("pub-a", "1.0")
    _, data, sha = upstream.projects["pub-a"][0]
    client.get("/simple/pub-a/")
    url = files.url_path("pub-a", sha, filename)
    assert b"".join(client.get(url).streaming_content) == data
    assert package_storage().exists(files.storage_path(sha, filename))
    upstream.stop()
    assert b"".join(client.get(url).streaming_content) == data
    assert upstream.requests.count(f"/files/{filename}") == 1


def test_file_with_wrong_bytes_refused_and_not_stored(client, settings, upstream):
    settings.UPSTREAM_INDEX_URL = upstream.url
    filename = upstream.add("pub-a", "1.0")
    sha = upstream.projects["pub-a"][0][2]
    upstream.tamper(filename)
    client.get("/simple/pub-a/")
    response = client.get(files.url_path("pub-a", sha, filename))
    assert response.status_code == 502
    assert b"does not match its sha256" in response.content
    assert not package_storage().exists(files.storage_path(sha, filename))


def test_unknown_proxy_file_is_404(client, settings, upstream):
    settings.UPSTREAM_INDEX_URL = upstream.url
    assert client.get("/proxy/pub-a/" + "0" * 64 + "/pub_a-1.0-py3-none-any.whl").status_code == 404


@pytest.mark.parametrize("json_pages", [True, False])
def test_metadata_file_advertised_fetched_and_stored(client, settings, upstream, json_pages):
    upstream.json_pages = json_pages
    settings.UPSTREAM_INDEX_URL = upstream.url
    filename = upstream.add("pub-m", "1.0", metadata_file=True)
    sha = upstream.projects["pub-m"][0][2]
    metadata = upstream.metadata[filename]
    import hashlib

    (entry,) = json.loads(client.get("/simple/pub-m/", HTTP_ACCEPT=JSON).content)["files"]
    assert entry["core-metadata"] == {"sha256": hashlib.sha256(metadata).hexdigest()}
    url = files.url_path("pub-m", sha, filename) + ".metadata"
    assert b"".join(client.get(url).streaming_content) == metadata
    assert package_storage().exists(files.storage_path(sha, filename + ".metadata"))
    assert not package_storage().exists(files.storage_path(sha, filename))  # the wheel itself not yet


def test_invalid_names_never_sent_upstream(client, settings, upstream):
    settings.UPSTREAM_INDEX_URL = upstream.url
    assert client.get("/simple/-bad-/").status_code in (301, 404)
    assert upstream.requests == []


def test_upstream_lookups_bounded_per_client(client, settings, upstream):
    settings.UPSTREAM_INDEX_URL = upstream.url
    settings.UPSTREAM_LOOKUP_RATE = "2/m"
    upstream.add("pub-a", "1.0")
    assert client.get("/simple/pub-a/").status_code == 200
    assert client.get("/simple/random-1/").status_code == 404
    response = client.get("/simple/random-2/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert client.get("/simple/pub-a/").status_code == 200  # cached names cost no lookup
    assert upstream.requests == ["/simple/pub-a/", "/simple/random-1/"]


def _metric(name, **labels):
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_stale_pages_revalidated_with_the_upstreams_etag(client, settings, upstream):
    settings.UPSTREAM_INDEX_URL = upstream.url
    settings.UPSTREAM_CACHE_SECONDS = 0  # every request finds the page due for revalidation
    upstream.add("pub-a", "1.0")
    assert client.get("/simple/pub-a/").status_code == 200
    etag = UpstreamProject.objects.get(normalized_name="pub-a").etag
    assert etag and "If-None-Match" not in upstream.headers[-1]
    revalidated = _metric("pypi_upstream_cache_total", kind="page", result="revalidated")
    response = client.get("/simple/pub-a/", HTTP_ACCEPT=JSON)
    assert json.loads(response.content)["versions"] == ["1.0"]
    assert upstream.headers[-1]["If-None-Match"] == etag  # answered 304
    assert _metric("pypi_upstream_cache_total", kind="page", result="revalidated") == revalidated + 1

    upstream.add("pub-a", "2.0")  # a new body: a new ETag, answered 200
    response = client.get("/simple/pub-a/", HTTP_ACCEPT=JSON)
    assert json.loads(response.content)["versions"] == ["1.0", "2.0"]
    assert UpstreamProject.objects.get(normalized_name="pub-a").etag != etag


def test_an_older_serial_does_not_take_the_page_back(client, settings, upstream):
    settings.UPSTREAM_INDEX_URL = upstream.url
    settings.UPSTREAM_CACHE_SECONDS = 0
    upstream.add("pub-a", "1.0")
    upstream.add("pub-a", "2.0")
    assert client.get("/simple/pub-a/").status_code == 200
    assert UpstreamProject.objects.get(normalized_name="pub-a").upstream_serial == upstream.serials["pub-a"]
    # A lagging mirror node: the page misses 2.0, and says an older serial.
    served = upstream.projects["pub-a"].pop()
    upstream.serials["pub-a"] -= 1
    response = client.get("/simple/pub-a/", HTTP_ACCEPT=JSON)
    assert json.loads(response.content)["versions"] == ["1.0", "2.0"]
    upstream.projects["pub-a"].append(served)
    upstream.add("pub-a", "3.0")  # newer serial: taken
    assert json.loads(client.get("/simple/pub-a/", HTTP_ACCEPT=JSON).content)["versions"] == ["1.0", "2.0", "3.0"]


def test_stale_pages_served_are_counted(client, settings, upstream):
    settings.UPSTREAM_INDEX_URL = upstream.url
    settings.UPSTREAM_CACHE_SECONDS = 0
    upstream.add("pub-a", "1.0")
    assert client.get("/simple/pub-a/").status_code == 200
    upstream.stop()
    stale = _metric("pypi_upstream_stale_pages_total", upstream="env")
    errors = _metric("pypi_upstream_errors_total", upstream="env", kind="page", reason="unreachable")
    response = client.get("/simple/pub-a/")
    assert response.status_code == 200 and response["Warning"].startswith("110 ")
    assert _metric("pypi_upstream_stale_pages_total", upstream="env") == stale + 1
    assert _metric("pypi_upstream_errors_total", upstream="env", kind="page", reason="unreachable") == errors + 1


def test_unknown_name_upstream_timing_out_is_504(client, settings):
    import socket

    listener = socket.socket()  # accepts connections (the backlog) and never answers
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        settings.UPSTREAM_INDEX_URL = f"http://127.0.0.1:{listener.getsockname()[1]}/simple/"
        settings.UPSTREAM_TIMEOUT_SECONDS = 0.5
        response = client.get("/simple/never-seen/")
    finally:
        listener.close()
    assert response.status_code == 504
    assert b"not cached" in response.content
