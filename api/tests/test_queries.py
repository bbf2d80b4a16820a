"""Every public view runs a bounded number of queries, whatever the project's size.

Each test checks a 1-release and a many-release project against the same bound (loops
inside the tests keep the number of expensive fixtures small).
"""
import pytest

from packages.models import File
from pypiapp.testing.publish import publish

JSON_V1 = "application/vnd.pypi.simple.v1+json"
BIG_RELEASES = 12
NAMES = ("small-pkg", "big-pkg")


@pytest.fixture
def projects(user):
    publish(user, "small-pkg", "1.0")
    for minor in range(BIG_RELEASES):
        release = publish(user, "big-pkg", f"1.{minor}")
    assert File.objects.filter(release__project=release.project).count() == 2 * BIG_RELEASES
    return release.project


def test_simple_detail_cold_then_warm(client, projects, django_assert_max_num_queries):
    for name in NAMES:
        for accept in ("text/html", JSON_V1):
            with django_assert_max_num_queries(3):  # project, releases, files
                assert client.get(f"/simple/{name}/", HTTP_ACCEPT=accept).status_code == 200
            with django_assert_max_num_queries(1):  # the project's serial only
                response = client.get(f"/simple/{name}/", HTTP_ACCEPT=accept, HTTP_ACCEPT_ENCODING="gzip")
                assert response.status_code == 200


def test_simple_index_cold_warm_and_after_a_change(client, projects, user, django_assert_max_num_queries):
    for accept in ("text/html", JSON_V1):
        with django_assert_max_num_queries(2):  # global serial, all projects
            assert client.get("/simple/", HTTP_ACCEPT=accept).status_code == 200
        with django_assert_max_num_queries(1):
            assert client.get("/simple/", HTTP_ACCEPT=accept).status_code == 200
    publish(user, "another-pkg", "1.0", kinds=("wheel",))
    with django_assert_max_num_queries(3):  # serial, journal since the snapshot, changed projects
        response = client.get("/simple/", HTTP_ACCEPT=JSON_V1)
    assert "another-pkg" in [p["name"] for p in response.json()["projects"]]


def test_not_modified_costs_one_query(client, projects, django_assert_num_queries):
    etag = client.get("/simple/big-pkg/")["ETag"]
    with django_assert_num_queries(1):
        assert client.get("/simple/big-pkg/", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_downloads_are_one_query_in_every_mode(client, projects, settings, django_assert_num_queries):
    wheel = File.objects.filter(release__project=projects, packagetype="bdist_wheel").first()
    for mode in ("django", "x-accel-redirect", "redirect"):
        settings.FILE_DELIVERY = mode
        with django_assert_num_queries(1):
            assert client.get(wheel.url_path).status_code in (200, 302)
        with django_assert_num_queries(1):
            assert client.get(wheel.url_path + ".metadata").status_code in (200, 302)


# Pages of the JSON API and web UI work: the bound is what is checked here (their own tests
# check the content).
PUBLIC_PAGES = ["/pypi/{name}/json", "/pypi/{name}/1.0/json", "/project/{name}/", "/project/{name}/1.0/",
                "/search/?q={name}", "/"]


def test_public_pages_are_bounded(client, projects, django_assert_max_num_queries):
    for url in PUBLIC_PAGES:
        for name in NAMES:
            with django_assert_max_num_queries(8):
                assert client.get(url.format(name=name)).status_code == 200, url
