"""Every public view runs a bounded number of queries, whatever the project's size.

Each test checks a 1-release and a many-release project against the same bound (loops
inside the tests keep the number of expensive fixtures small).
"""

import json

import pytest

from devtools.publish import publish
from packages.models import File

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
        # Global serial, all projects, and (then kept in the cache) the upstream listing's marker.
        with django_assert_max_num_queries(3):
            assert client.get("/simple/", HTTP_ACCEPT=accept).status_code == 200
        with django_assert_max_num_queries(1):
            assert client.get("/simple/", HTTP_ACCEPT=accept).status_code == 200
    publish(user, "another-pkg", "1.0", kinds=("wheel",))
    with django_assert_max_num_queries(3):  # serial, journal since the snapshot, changed projects
        response = client.get("/simple/", HTTP_ACCEPT=JSON_V1)
    assert "another-pkg" in [p["name"] for p in json.loads(response.getvalue())["projects"]]


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
PUBLIC_PAGES = [
    "/pypi/{name}/json",
    "/pypi/{name}/1.0/json",
    "/project/{name}/",
    "/project/{name}/1.0/",
    "/search/?q={name}",
    "/",
]


def test_public_pages_are_bounded(client, projects, django_assert_max_num_queries):
    for url in PUBLIC_PAGES:
        for name in NAMES:
            # 8 before issue 21; the project page now also sums its download counts (one query),
            # and the footer's sponsors are one query a cache lifetime (the first page here).
            with django_assert_max_num_queries(9):
                assert client.get(url.format(name=name)).status_code == 200, url


# An upload of a new release: admin flags, token (with the e-mail check), project lock (with
# the role, own, team or organization Owner, and whether its organization is frozen: one query
# still; organizations/tests/test_upload.py holds a team member's upload to the same bound),
# name/bytes/filename-log, release lookup, release insert, search reindex (2, on
# PostgreSQL), filename-log and file inserts, journal entries, the project's serial: 12, and
# the transaction's SAVEPOINT/RELEASE (the test runs inside a transaction); plus the orphan
# intent's INSERT before the transaction and its DELETE inside (api/upload/pipeline.py). Outside
# a test's transaction the intent commits on its own, which on PostgreSQL adds one SET LOCAL
# (outbox/services.py: it need not wait for the disk); the pins cannot see that statement.
UPLOAD_QUERIES = 16


@pytest.mark.parametrize("releases_before", [1, BIG_RELEASES])
def test_an_upload_runs_a_bounded_number_of_queries(
    client, user, token_for, releases_before, django_assert_max_num_queries
):
    from api.tests.upload_support import post, wheel

    for minor in range(releases_before):
        publish(user, "grows", f"0.{minor}", kinds=("wheel",))
    token = token_for(user)
    for version in ("5.0", "5.1"):  # the first one also sets the token's "last used"
        filename, data = wheel("grows", version)
        with django_assert_max_num_queries(UPLOAD_QUERIES + (1 if version == "5.0" else 0)):
            response = post(client, token, filename, data, name="grows", version=version)
        assert response.status_code == 200, response.content


# A new project's first upload: token, project lock (none yet), name/bytes/filename-log, the
# name rules (prohibited and look-alike in one), the creation rate, project, role and release
# inserts, one search vector write (PostgreSQL), filename-log and file inserts, journal
# entries, the project's serial: 13, and the test transaction's SAVEPOINT/RELEASE; plus the
# orphan intent's INSERT and DELETE.
NEW_PROJECT_QUERIES = 17


def test_a_new_projects_first_upload_runs_a_bounded_number_of_queries(
    client, user, token_for, django_assert_max_num_queries
):
    from api.tests.upload_support import post, wheel

    token = token_for(user)
    post(client, token, *wheel("warm-up", "1.0"), name="warm-up", version="1.0")  # sets "last used"
    filename, data = wheel("fresh-project", "1.0")
    with django_assert_max_num_queries(NEW_PROJECT_QUERIES):
        response = post(client, token, filename, data, name="fresh-project", version="1.0")
    assert response.status_code == 200, response.content


# A file joining an existing release (the usual sdist after its wheel): token, project lock,
# name/bytes/filename-log, the release with "has an sdist", filename-log and file inserts,
# journal entry, the project's serial: 8, and the test transaction's SAVEPOINT/RELEASE.
# SQLite adds its write lock (pipeline._take_write_lock). Plus the orphan intent's INSERT and DELETE.
JOIN_RELEASE_QUERIES = 12


def test_a_file_joining_its_release_runs_a_bounded_number_of_queries(
    client, user, token_for, django_assert_max_num_queries
):
    from api.tests.upload_support import post, sdist, wheel

    token = token_for(user)
    assert post(client, token, *wheel("pair", "1.0"), name="pair", version="1.0").status_code == 200
    from django.db import connection

    filename, data = sdist("pair", "1.0")
    with django_assert_max_num_queries(JOIN_RELEASE_QUERIES + (connection.vendor == "sqlite")):
        response = post(client, token, filename, data, name="pair", version="1.0", filetype="sdist", pyversion="source")
    assert response.status_code == 200, response.content
