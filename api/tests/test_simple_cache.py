"""Simple pages are rendered once per serial, served compressed, and change with the next request."""

import gzip
import json

import brotli
import pytest

from api.simple import render
from devtools.publish import publish
from packages import services
from packages.models import Project, Release

JSON_V1 = "application/vnd.pypi.simple.v1+json"


@pytest.fixture
def project(user):
    publish(user, "cached-pkg", "1.0")
    return publish(user, "cached-pkg", "1.1", kinds=("wheel",)).project


def test_a_yank_shows_on_the_very_next_request(client, project, user):
    before = client.get("/simple/cached-pkg/")
    assert b"data-yanked" not in before.content
    services.yank_release(Release.objects.get(project=project, version="1.0"), "broken build", user)
    after = client.get("/simple/cached-pkg/", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert b'data-yanked="broken build"' in after.content
    assert int(after["X-PyPI-Last-Serial"]) > int(before["X-PyPI-Last-Serial"])


def test_a_new_upload_shows_on_the_next_request_in_json_too(client, project, user):
    client.get("/simple/cached-pkg/", HTTP_ACCEPT=JSON_V1)
    publish(user, "cached-pkg", "2.0", kinds=("wheel",))
    doc = client.get("/simple/cached-pkg/", HTTP_ACCEPT=JSON_V1).json()
    assert doc["versions"] == ["1.0", "1.1", "2.0"]


def test_cached_page_is_the_rendered_page(client, project):
    first = client.get("/simple/cached-pkg/")
    second = client.get("/simple/cached-pkg/")
    rows, _ = render.detail_data(project)
    assert first.content == second.content == render.render_detail_html(project, rows)


@pytest.mark.parametrize(
    "accept_encoding,encoding,decode",
    [
        ("gzip, deflate", "gzip", gzip.decompress),
        ("gzip, deflate, br", "br", brotli.decompress),
        ("br;q=0, gzip", "gzip", gzip.decompress),
    ],
)
def test_compressed_bodies_decode_to_the_plain_page(client, project, accept_encoding, encoding, decode):
    plain = client.get("/simple/cached-pkg/", HTTP_ACCEPT=JSON_V1)
    packed = client.get("/simple/cached-pkg/", HTTP_ACCEPT=JSON_V1, HTTP_ACCEPT_ENCODING=accept_encoding)
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == encoding
    assert decode(packed.content) == plain.content
    assert packed["ETag"] != plain["ETag"]
    assert "Accept-Encoding" in packed["Vary"]


def test_identity_when_the_client_asks_for_it(client, project):
    response = client.get("/simple/cached-pkg/", HTTP_ACCEPT_ENCODING="identity")
    assert "Content-Encoding" not in response
    assert response.content.startswith(b"<!DOCTYPE html>")


def test_any_representation_etag_revalidates_until_the_serial_moves(client, project, user):
    packed = client.get("/simple/cached-pkg/", HTTP_ACCEPT_ENCODING="br")
    response = client.get("/simple/cached-pkg/", HTTP_IF_NONE_MATCH=f"W/{packed['ETag']}")
    assert response.status_code == 304
    assert response.content == b""
    assert response["X-PyPI-Last-Serial"] == str(project.last_serial)
    publish(user, "cached-pkg", "1.2", kinds=("wheel",))
    assert client.get("/simple/cached-pkg/", HTTP_IF_NONE_MATCH=packed["ETag"]).status_code == 200


def test_headers_for_front_caches(client, project, settings):
    settings.EDGE_CACHE_SECONDS = 0
    response = client.get("/simple/cached-pkg/")
    assert response["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert response["Surrogate-Key"] == "simple simple/cached-pkg"
    assert "Surrogate-Control" not in response
    settings.EDGE_CACHE_SECONDS = 3600
    response = client.get("/simple/")
    assert response["Surrogate-Key"] == "simple simple-index"
    assert response["Surrogate-Control"] == "max-age=3600"
    assert response["X-Accel-Expires"] == "3600"


def test_root_follows_creates_quarantines_and_deletions(client, project, user, other_user):
    assert b"cached-pkg" in client.get("/simple/").getvalue()
    publish(other_user, "Fresh_Name", "0.1", kinds=("wheel",))
    body = client.get("/simple/").getvalue().decode()
    assert '<a href="/simple/fresh-name/">Fresh_Name</a>' in body
    services.set_status(project, Project.Status.QUARANTINED, user, reason="malware")
    doc = json.loads(client.get("/simple/", HTTP_ACCEPT=JSON_V1).getvalue())
    assert [p["name"] for p in doc["projects"]] == ["Fresh_Name"]
    services.delete_project(Project.objects.get(normalized_name="fresh-name"), user)
    assert json.loads(client.get("/simple/", HTTP_ACCEPT=JSON_V1).getvalue())["projects"] == []


def test_front_cache_is_purged_after_commit(project, user, settings, purge_server, django_capture_on_commit_callbacks):
    url, seen = purge_server
    settings.EDGE_PURGE_URLS = [url]
    release = Release.objects.get(project=project, version="1.1")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.yank_release(release, "", user)
    assert seen == []  # nothing is purged before the change commits
    for callback in callbacks:
        callback()
    assert ("/simple/cached-pkg/", "text/html") in seen
    assert ("/simple/cached-pkg/", JSON_V1) in seen
    assert ("/simple/", JSON_V1) in seen


def test_an_unreachable_front_cache_does_not_fail_the_change(
    project, user, settings, django_capture_on_commit_callbacks
):
    from packages.cache import purge_paths

    settings.EDGE_PURGE_URLS = ["http://127.0.0.1:9"]  # discard port: nothing listens
    with django_capture_on_commit_callbacks(execute=True):
        services.yank_release(Release.objects.get(project=project, version="1.0"), "", user)
    purge_paths(["/simple/odd name/"])  # neither raises
    assert Release.objects.get(project=project, version="1.0").yanked


def test_one_change_purges_each_page_once(user, settings, purge_server, django_capture_on_commit_callbacks):
    """A first upload writes four journal entries; the front cache still gets each PURGE once."""
    url, seen = purge_server
    settings.EDGE_PURGE_URLS = [url]
    with django_capture_on_commit_callbacks(execute=True):
        publish(user, "purged-once", "1.0", kinds=("wheel",))
    from packages.cache import PURGE_ENCODINGS, PURGE_VARIANTS

    assert {path for path, _ in seen} == {"/simple/purged-once/", "/simple/"}
    assert len(seen) == 2 * len(PURGE_VARIANTS) * len(PURGE_ENCODINGS)
