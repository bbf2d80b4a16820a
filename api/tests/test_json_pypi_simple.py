"""pypi-simple (the client library) reads our simple pages, HTML and JSON, without warnings,
for a project with yanked files, PEP 658 metadata and several kinds of distribution."""

import json
import warnings

import pytest
from django.db import transaction
from packaging.utils import canonicalize_name
from pypi_simple import ACCEPT_HTML_ONLY, ACCEPT_JSON_ONLY, ProjectPage, PyPISimple

from accounts.tests.factories import UserFactory
from devtools.publish import publish
from packages import services
from packages.models import File

JSON_V1 = "application/vnd.pypi.simple.v1+json"


def make_project(user):
    publish(user, "Many.Kinds", "1.0", requires_python=">=3.9")
    publish(user, "Many.Kinds", "1.0", kinds=("wheel",), tag="cp311-cp311-manylinux_2_17_x86_64")
    publish(user, "Many.Kinds", "1.0", kinds=("wheel",), tag="cp311-cp311-win_amd64")
    yanked = publish(user, "Many.Kinds", "0.9", kinds=("sdist", "wheel"))
    with transaction.atomic():
        services.yank_release(yanked, "do not use", user)


def check_page(page, base_url):
    files = {p.filename: p for p in page.packages}
    expected = {f.filename: f for f in File.objects.select_related("release")}
    assert set(files) == set(expected)
    assert {p.package_type for p in page.packages} == {"sdist", "wheel"}
    assert len(page.packages) == 6
    for name, package in files.items():
        row = expected[name]
        assert canonicalize_name(package.project) == "many-kinds" and package.version == row.release.version
        assert package.url == f"{base_url}/packages/{row.path}"
        assert package.digests["sha256"] == row.sha256_digest
        assert package.is_yanked == row.release.yanked
        assert package.yanked_reason == ("do not use" if row.release.yanked else None)
        assert bool(package.has_metadata) == row.has_metadata == name.endswith(".whl")
        if row.has_metadata:
            assert package.metadata_digests == {"sha256": row.metadata_sha256}
        assert package.requires_python == (row.release.requires_python or None)


@pytest.mark.django_db
def test_pypi_simple_parses_html_and_json_pages_without_warnings(client, user, recwarn):
    make_project(user)
    warnings.simplefilter("always")
    html = client.get("/simple/many-kinds/", HTTP_ACCEPT="text/html")
    page = ProjectPage.from_html("many-kinds", html.content, base_url="http://testserver/simple/many-kinds/")
    assert page.repository_version == "1.4"
    check_page(page, "http://testserver")
    data = json.loads(client.get("/simple/many-kinds/", HTTP_ACCEPT=JSON_V1).content)
    json_page = ProjectPage.from_json_data(data, base_url="http://testserver/simple/many-kinds/")
    check_page(json_page, "http://testserver")
    assert [p.size for p in json_page.packages] == [
        File.objects.get(filename=p.filename).size for p in json_page.packages
    ]
    assert json_page.versions == ["0.9", "1.0"]
    assert [str(w.message) for w in recwarn] == []


def test_pypi_simple_client_over_http_without_warnings(index_url, transactional_db, recwarn):
    make_project(UserFactory(username="kinds-owner"))
    warnings.simplefilter("always")
    with PyPISimple(endpoint=f"{index_url}/simple/", accept=ACCEPT_JSON_ONLY) as pypi:
        check_page(pypi.get_project_page("Many.Kinds"), index_url)  # follows the redirect to the normal name
        assert pypi.get_index_page().projects == ["Many.Kinds"]
    with PyPISimple(endpoint=f"{index_url}/simple/", accept=ACCEPT_HTML_ONLY) as pypi:
        check_page(pypi.get_project_page("many-kinds"), index_url)
    assert [str(w.message) for w in recwarn] == []
