"""Upstream projects' project pages and JSON API documents (pypi.org's shape): info from the
upstream's JSON API where it has one, else from its simple page; files with this index's URLs."""

import json

import pytest

from accounts.tests.factories import UserFactory
from devtools.publish import publish
from devtools.testing.net import free_port
from packages import moderation
from packages.models import ProhibitedProjectName, Project
from stats.models import UpstreamDailyDownloads
from stats.services import today
from upstream import files

pytestmark = pytest.mark.django_db

README = "# Hello upstream\n\nSome **bold** words <script>alert(1)</script>\n"


@pytest.fixture
def pub(settings, upstream, client):
    """pub-a 1.0 and 2.0 on a JSON-API upstream, its simple page cached here."""
    settings.UPSTREAM_INDEX_URL = upstream.url
    upstream.add("pub-a", "1.0", summary="First of pub-a")
    upstream.add("pub-a", "2.0", summary="Second of pub-a", description=README, requires_python=">=3.9")
    assert client.get("/simple/pub-a/").status_code == 200
    return upstream


def test_an_upstream_project_has_a_page_saying_where_it_comes_from(client, pub):
    response = client.get("/project/pub-a/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "comes from the upstream index <strong>env</strong>" in html
    assert "<h1>pub-a 2.0</h1>" in html and "Second of pub-a" in html
    assert "<strong>bold</strong>" in html and "<script>alert" not in html  # rendered and sanitized
    filename, _, sha = pub.projects["pub-a"][1]
    assert f'href="{files.url_path("pub-a", sha, filename)}"' in html
    assert 'href="/project/pub-a/1.0/"' in html
    assert "https://example.org/src/pub-a" in html  # the upstream's project links

    older = client.get("/project/pub-a/1.0/").content.decode()
    assert "<h1>pub-a 1.0</h1>" in older and "First of pub-a" in older and "Newer version available (2.0)" in older
    assert client.get("/project/pub-a/1.0.0/")["Location"] == "/project/pub-a/1.0/"
    assert client.get("/project/Pub_A/")["Location"] == "/project/pub-a/"
    assert client.get("/project/pub-a/9.0/").status_code == 404


def test_a_page_never_asks_upstream_about_a_new_name(client, settings, upstream):
    settings.UPSTREAM_INDEX_URL = upstream.url
    upstream.add("pub-new", "1.0")
    assert client.get("/project/pub-new/").status_code == 404
    assert upstream.requests == []


def test_local_projects_keep_their_page(client, pub):
    release = publish(UserFactory(), "mine", "1.0", kinds=("wheel",))
    html = client.get("/project/mine/").content.decode()
    assert "comes from the upstream index" not in html and "also serve the upstream" not in html
    moderation.set_serve_upstream_files(Project.objects.get(pk=release.project_id), None, True)
    assert "also serve the upstream indexes' files" in client.get("/project/mine/").content.decode()


def test_a_prohibited_name_has_no_upstream_page_or_document(client, pub):
    ProhibitedProjectName.objects.create(name="pub-a")
    assert client.get("/project/pub-a/").status_code == 404
    assert client.get("/pypi/pub-a/json").status_code == 404


def test_json_document_from_the_upstreams_json_api(client, pub):
    UpstreamDailyDownloads.objects.create(project="pub-a", filename="x.whl", day=today(), count=3)
    response = client.get("/pypi/pub-a/json")
    assert response.status_code == 200
    doc = json.loads(response.content)
    info = doc["info"]
    assert (info["name"], info["version"], info["summary"]) == ("pub-a", "2.0", "Second of pub-a")
    assert info["requires_python"] == ">=3.9" and info["license"] == "MIT"
    assert info["package_url"] == "http://testserver/project/pub-a/"
    assert info["release_url"] == "http://testserver/project/pub-a/2.0/"
    assert info["downloads"] == {"last_day": 3, "last_week": 3, "last_month": 3}
    assert doc["last_serial"] == pub.serials["pub-a"] == int(response["X-PyPI-Last-Serial"])
    filename, data, sha = pub.projects["pub-a"][1]
    (url,) = doc["urls"]
    assert url["url"] == "http://testserver" + files.url_path("pub-a", sha, filename)
    assert url["digests"]["sha256"] == sha and url["size"] == len(data)
    assert (url["packagetype"], url["python_version"], url["yanked"]) == ("bdist_wheel", "py3", False)
    assert url["upload_time_iso_8601"] is None  # the simple page did not say
    assert sorted(doc["releases"]) == ["1.0", "2.0"]
    assert doc["ownership"] == {"roles": [], "organization": None} and doc["vulnerabilities"] == []

    version = json.loads(client.get("/pypi/pub-a/1.0/json").content)
    assert (version["info"]["version"], version["info"]["summary"]) == ("1.0", "First of pub-a")
    assert "releases" not in version
    assert client.get("/pypi/pub-a/7.0/json").status_code == 404
    # The upstream's JSON API is asked once per project (and version), then the kept copy serves.
    client.get("/pypi/pub-a/json")
    assert pub.hits("/pypi/pub-a/json") == 1 and pub.hits("/pypi/pub-a/1.0/json") == 1


def test_json_document_from_the_simple_page_without_a_json_api(client, settings, upstream):
    upstream.json_api = False
    settings.UPSTREAM_INDEX_URL = upstream.url
    upstream.add("pub-s", "1.0")
    doc = json.loads(client.get("/pypi/pub-s/json").content)
    assert (doc["info"]["name"], doc["info"]["version"]) == ("pub-s", "1.0")
    assert doc["info"]["requires_python"] == ">=3.8"  # the page's data-requires-python
    assert [f["filename"] for f in doc["urls"]] == [upstream.projects["pub-s"][0][0]]
    assert client.get("/project/pub-s/").status_code == 200


def test_json_for_an_unknown_name_with_the_upstream_down_is_a_clear_502(client, settings):
    settings.UPSTREAM_INDEX_URL = f"http://127.0.0.1:{free_port()}/simple/"
    response = client.get("/pypi/never-seen/json")
    assert response.status_code == 502
    assert "unavailable" in json.loads(response.content)["message"]


def test_a_local_projects_json_never_asks_upstream(client, settings, upstream):
    settings.UPSTREAM_INDEX_URL = upstream.url
    upstream.add("mine", "9.0")
    publish(UserFactory(), "mine", "1.0", kinds=("wheel",))
    assert json.loads(client.get("/pypi/mine/json").content)["info"]["version"] == "1.0"
    assert upstream.requests == []
