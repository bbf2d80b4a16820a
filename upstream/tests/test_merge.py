"""Staff's "also serve upstream files" on a local project: its simple page adds the upstream's
files for the versions it lacks, local files first; without the flag the dependency-confusion
rule holds (the local project alone, nothing asked upstream)."""

import json

import pytest

from accounts.tests.factories import UserFactory
from devtools.publish import publish
from devtools.testing import clients
from packages import moderation
from packages.models import JournalEntry, Project
from upstream import files

pytestmark = pytest.mark.django_db

JSON = "application/vnd.pypi.simple.v1+json"


@pytest.fixture
def staff(db):
    return UserFactory(username="proxy-staff", is_staff=True)


@pytest.fixture
def mixed(settings, upstream):
    """A local project `mixed` 1.0; the upstream has its own 1.0 and a 2.0."""
    settings.UPSTREAM_INDEX_URL = upstream.url
    release = publish(UserFactory(), "mixed", "1.0", kinds=("wheel",))
    upstream.add("mixed", "1.0")
    upstream.add("mixed", "2.0")
    return Project.objects.get(pk=release.project_id)


def _page(client):
    return json.loads(client.get("/simple/mixed/", HTTP_ACCEPT=JSON).content)


def _upstream_file(upstream, version):
    filename, data, sha = next(f for f in upstream.projects["mixed"] if f"-{version}-" in f[0])
    return files.url_path("mixed", sha, filename), data


def test_without_the_flag_the_local_project_is_served_alone(client, mixed, upstream):
    page = _page(client)
    assert page["versions"] == ["1.0"]
    assert [f["url"].startswith("/packages/") for f in page["files"]] == [True]
    # Not even a download URL guessed from the upstream's page is served under a local name.
    assert client.get(_upstream_file(upstream, "2.0")[0]).status_code == 404
    assert upstream.requests == []


def test_with_the_flag_upstream_files_fill_the_versions_it_lacks(client, mixed, upstream, staff):
    moderation.set_serve_upstream_files(mixed, staff, True)
    assert JournalEntry.objects.filter(name="mixed", action="also serve upstream files").exists()
    page = _page(client)
    assert page["versions"] == ["1.0", "2.0"]
    local, proxied = page["files"]
    assert local["url"].startswith("/packages/") and local["filename"] == "mixed-1.0-py3-none-any.whl"
    two_url, two_data = _upstream_file(upstream, "2.0")
    assert proxied["url"] == two_url  # the upstream's 1.0 is not offered: the local one is
    html = client.get("/simple/mixed/").content.decode()
    assert html.index("/packages/") < html.index("/proxy/")  # local files first
    assert b"".join(client.get(two_url).streaming_content) == two_data
    assert client.get(_upstream_file(upstream, "1.0")[0]).status_code == 404  # a version it has itself

    # Turned off again: the local project alone, and its proxied files are no longer served.
    moderation.set_serve_upstream_files(Project.objects.get(pk=mixed.pk), staff, False)
    assert _page(client)["versions"] == ["1.0"]
    assert client.get(two_url).status_code == 404


def test_the_merged_page_follows_the_upstream(client, settings, mixed, upstream, staff):
    settings.UPSTREAM_CACHE_SECONDS = 0  # revalidated on every request
    moderation.set_serve_upstream_files(mixed, staff, True)
    first = client.get("/simple/mixed/", HTTP_ACCEPT=JSON)
    assert client.get("/simple/mixed/", HTTP_ACCEPT=JSON, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    upstream.add("mixed", "3.0")
    again = client.get("/simple/mixed/", HTTP_ACCEPT=JSON, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and again["ETag"] != first["ETag"]
    assert json.loads(again.content)["versions"] == ["1.0", "2.0", "3.0"]


def test_upstream_down_the_flagged_project_still_serves_its_own_files(client, settings, mixed, upstream, staff):
    moderation.set_serve_upstream_files(mixed, staff, True)
    upstream.stop()
    assert _page(client)["versions"] == ["1.0"]


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_pip_installs_the_upstream_version_only_with_the_flag(index_url, mixed, upstream, staff, tmp_path):
    simple = f"{index_url}/simple/"
    result = clients.pip_install(simple, ["mixed"], tmp_path / "alone")
    assert result.returncode == 0, result.stdout + result.stderr
    assert clients.import_version(tmp_path / "alone", "mixed") == "1.0"  # the upstream's 2.0 ignored
    moderation.set_serve_upstream_files(mixed, staff, True)
    result = clients.pip_install(simple, ["mixed"], tmp_path / "merged")
    assert result.returncode == 0, result.stdout + result.stderr
    assert clients.import_version(tmp_path / "merged", "mixed") == "2.0"
    result = clients.uv_install(simple, ["mixed==1.0"], tmp_path / "pinned")
    assert result.returncode == 0, result.stdout + result.stderr
    assert clients.import_version(tmp_path / "pinned", "mixed") == "1.0"
