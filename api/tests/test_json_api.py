"""The JSON API: pypi.org's document shape (golden fixtures), latest-release choice, headers."""

import json

import pytest
from django.db import transaction

from api.json import documents
from devtools.publish import publish
from packages import services
from packages.models import File

from .shapes import problems_with

METADATA = {
    "summary": "Shape test",
    "author": "Ada",
    "author_email": "ada@example.com",
    "license_expression": "MIT",
    "license_files": ["LICENSE"],
    "project_urls": {"Source": "https://example.com/src"},
    "home_page": "https://example.com",
    "requires_dist": ["requests>=2"],
    "provides_extra": ["fast"],
    "dynamic": ["Requires-Dist"],
    "classifiers": ["Programming Language :: Python :: 3", "License :: OSI Approved :: MIT License"],
    "requires_python": ">=3.9",
    "description_content_type": "text/markdown",
}


@pytest.fixture
def project(user):
    publish(user, "Shape_Pkg", "1.0", metadata=METADATA, requires_python=">=3.9")
    publish(user, "Shape_Pkg", "1.5", metadata=METADATA)
    yanked = publish(user, "Shape_Pkg", "2.0", kinds=("wheel",))
    publish(user, "Shape_Pkg", "2.1rc1", kinds=("sdist",))
    with transaction.atomic():
        services.yank_release(yanked, "broken build", user)
    yanked.project.refresh_from_db()
    return yanked.project


def _get(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, response.content
    return response, json.loads(response.content)


def test_project_document_matches_pypi_shape(client, project):
    response, doc = _get(client, "/pypi/shape-pkg/json")
    assert problems_with(doc, "project") == []
    assert response["Content-Type"] == "application/json"
    assert response["X-PyPI-Last-Serial"] == str(project.last_serial) == str(doc["last_serial"])
    assert list(doc["releases"]) == ["1.0", "1.5", "2.0", "2.1rc1"]


def test_release_document_matches_pypi_shape_and_has_no_releases(client, project):
    _, doc = _get(client, "/pypi/shape-pkg/2.0/json")
    assert problems_with(doc, "release") == []
    assert "releases" not in doc
    assert doc["info"]["version"] == "2.0"
    assert doc["info"]["yanked"] is True and doc["info"]["yanked_reason"] == "broken build"
    assert [f["yanked_reason"] for f in doc["urls"]] == ["broken build"]


def test_shape_check_catches_missing_keys_and_wrong_types(client, project):
    _, doc = _get(client, "/pypi/shape-pkg/json")
    del doc["info"]["license_expression"]
    doc["urls"][0]["size"] = "12"
    doc["last_serial"] = None
    problems = problems_with(doc, "project")
    assert any("license_expression" in p for p in problems)
    assert any("urls[0].size" in p for p in problems)
    assert any("$.last_serial" in p for p in problems)


def test_latest_is_unyanked_final_highest(client, project):
    _, doc = _get(client, "/pypi/shape-pkg/json")
    # 2.0 is yanked and 2.1rc1 a pre-release: the latest is 1.5.
    assert doc["info"]["version"] == "1.5"
    assert sorted(f["filename"] for f in doc["urls"]) == ["shape_pkg-1.5-py3-none-any.whl", "shape_pkg-1.5.tar.gz"]


def test_info_carries_core_metadata(client, project):
    _, doc = _get(client, "/pypi/shape-pkg/1.0/json")
    info = doc["info"]
    assert info["name"] == "Shape_Pkg"
    assert info["license_expression"] == "MIT" and info["license_files"] == ["LICENSE"]
    assert info["requires_dist"] == ["requests>=2"] and info["provides_extra"] == ["fast"]
    assert info["requires_python"] == ">=3.9" and info["dynamic"] == ["Requires-Dist"]
    assert info["classifiers"] == sorted(METADATA["classifiers"])
    assert info["project_urls"] == {"Homepage": "https://example.com", "Source": "https://example.com/src"}
    assert info["release_url"] == "http://testserver/project/Shape_Pkg/1.0/"
    assert info["downloads"] == {"last_day": 0, "last_week": 0, "last_month": 0}  # counted by stats/
    assert doc["ownership"] == {"roles": [{"role": "Owner", "user": "alice"}], "organization": None}
    assert doc["vulnerabilities"] == []


def test_files_have_digests_metadata_and_absolute_urls(client, project):
    _, doc = _get(client, "/pypi/shape-pkg/1.0/json")
    by_name = {f["filename"]: f for f in doc["urls"]}
    wheel = File.objects.get(filename="shape_pkg-1.0-py3-none-any.whl")
    entry = by_name[wheel.filename]
    assert entry["digests"] == {
        "md5": wheel.md5_digest,
        "sha256": wheel.sha256_digest,
        "blake2b_256": wheel.blake2_256_digest,
    }
    assert entry["md5_digest"] == wheel.md5_digest and entry["size"] == wheel.size
    assert entry["url"] == f"http://testserver/packages/{wheel.path}"
    assert entry["core-metadata"] == {"sha256": wheel.metadata_sha256}
    assert entry["packagetype"] == "bdist_wheel" and entry["python_version"] == "py3"
    assert entry["requires_python"] == ">=3.9"
    assert entry["upload_time_iso_8601"].endswith("Z") and "." in entry["upload_time_iso_8601"]
    assert entry["upload_time"] == entry["upload_time_iso_8601"][:19]
    assert entry["has_sig"] is False and entry["downloads"] == -1 and entry["yanked_reason"] is None
    sdist = by_name["shape_pkg-1.0.tar.gz"]
    assert sdist["core-metadata"] is False and sdist["python_version"] == "source"
    # The file URL really serves those bytes.
    assert client.get(f"/packages/{wheel.path}").status_code == 200


def test_headers_etag_and_304(client, project):
    response, _ = _get(client, "/pypi/shape-pkg/json")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "max-age" in response["Cache-Control"]
    etag = response["ETag"]
    again = client.get("/pypi/shape-pkg/json", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["X-PyPI-Last-Serial"] == str(project.last_serial)
    # A change moves the serial and the ETag.
    before = project.last_serial
    with transaction.atomic():
        services.unyank_release(project.releases.get(version="2.0"), None)
    changed = client.get("/pypi/shape-pkg/json", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert int(changed["X-PyPI-Last-Serial"]) > before
    assert json.loads(changed.content)["info"]["version"] == "2.0"


def test_trailing_slash_and_canonical_version(client, project):
    _get(client, "/pypi/shape-pkg/json/")
    _, doc = _get(client, "/pypi/shape-pkg/1.5.0/json")
    assert doc["info"]["version"] == "1.5"


@pytest.mark.parametrize("url", ["/pypi/nope/json", "/pypi/shape-pkg/9.9/json", "/pypi/shape-pkg/not!a!version/json"])
def test_unknown_project_or_version_is_404_with_cors(client, project, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response["Access-Control-Allow-Origin"] == "*"


def test_quarantined_project_is_404(client, project, user):
    with transaction.atomic():
        services.set_status(project, "quarantined", user, "malware report")
    assert client.get("/pypi/shape-pkg/json").status_code == 404
    assert client.get("/pypi/shape-pkg/1.0/json").status_code == 404


def test_project_without_release_is_404(client, user):
    with transaction.atomic():
        services.create_project("empty-one", user)
    assert client.get("/pypi/empty-one/json").status_code == 404


def test_project_document_query_count_does_not_grow_with_releases(client, user, django_assert_max_num_queries):
    for i in range(6):
        publish(user, "many", f"1.{i}", kinds=("wheel",))
    with django_assert_max_num_queries(8):
        response = client.get("/pypi/many/json")
    assert len(json.loads(response.content)["releases"]) == 6


def test_openapi_description_is_served(client):
    response = client.get("/pypi/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) >= {"/pypi/{name}/json", "/pypi/{name}/{version}/json"}
    project = schema["components"]["schemas"]["ProjectDocument"]
    assert set(project["properties"]) == {"info", "last_serial", "urls", "vulnerabilities", "ownership", "releases"}
    file_props = schema["components"]["schemas"]["File"]["properties"]
    assert {"core-metadata", "digests", "upload_time_iso_8601", "yanked_reason"} <= set(file_props)


# --- Rendered once per serial (api/pagecache.py) ---------------------------------------------


def test_a_document_is_rendered_once_per_serial(client, project, monkeypatch, django_assert_max_num_queries):
    rendered = []
    original = documents.project_document
    monkeypatch.setattr(documents, "project_document", lambda p: rendered.append(p.normalized_name) or original(p))
    first = client.get("/pypi/shape-pkg/json")
    # The project, whether it has a release, and nothing else: the body is the cached one.
    with django_assert_max_num_queries(2):
        second = client.get("/pypi/shape-pkg/json")
    assert rendered == ["shape-pkg"] and second.content == first.content
    with transaction.atomic():
        services.yank_release(project.releases.get(version="1.5"), "bad", None)
    third = json.loads(client.get("/pypi/shape-pkg/json").content)
    assert rendered == ["shape-pkg", "shape-pkg"]
    assert third["releases"]["1.5"][0]["yanked_reason"] == "bad"


def test_documents_come_compressed_from_the_cache(client, project):
    import gzip

    import brotli

    plain = client.get("/pypi/shape-pkg/json").content
    gz = client.get("/pypi/shape-pkg/json", HTTP_ACCEPT_ENCODING="gzip")
    br = client.get("/pypi/shape-pkg/1.0/json", HTTP_ACCEPT_ENCODING="br, gzip")
    assert gz["Content-Encoding"] == "gzip" and gzip.decompress(gz.content) == plain
    assert br["Content-Encoding"] == "br"
    assert json.loads(brotli.decompress(br.content))["info"]["version"] == "1.0"
    # Any representation's tag revalidates while the serial stands.
    assert client.get("/pypi/shape-pkg/json", HTTP_IF_NONE_MATCH=gz["ETag"]).status_code == 304


def test_each_host_gets_its_own_absolute_urls(client, project, settings):
    settings.ALLOWED_HOSTS = ["testserver", "mirror.example"]
    here = json.loads(client.get("/pypi/shape-pkg/json").content)
    there = json.loads(client.get("/pypi/shape-pkg/json", HTTP_HOST="mirror.example").content)
    assert here["info"]["project_url"].startswith("http://testserver/")
    assert there["info"]["project_url"].startswith("http://mirror.example/")
    assert there["urls"][0]["url"].startswith("http://mirror.example/packages/")


def test_a_username_change_moves_the_serial_and_shows_in_ownership(client, project, rf):
    from django.contrib import admin

    from accounts.admin import UserAdmin
    from accounts.models import User

    owner = project.roles.get().user
    before = client.get("/pypi/shape-pkg/json")
    staff = User.objects.create(username="staff-renamer", is_staff=True, is_superuser=True)
    request = rf.post("/admin/")
    request.user = staff

    class ChangedUsername:  # what the admin's change form reports
        changed_data = ["username"]

    owner.username = "renamed-owner"
    with transaction.atomic():
        UserAdmin(User, admin.site).save_model(request, owner, ChangedUsername(), change=True)
    after = client.get("/pypi/shape-pkg/json", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert int(after["X-PyPI-Last-Serial"]) > int(before["X-PyPI-Last-Serial"])
    roles = json.loads(after.content)["ownership"]["roles"]
    assert {"role": "Owner", "user": "renamed-owner"} in roles
