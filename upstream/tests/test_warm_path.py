"""What a cached upstream project costs per request: the warm install path stays close to a
local project's (bench/proxy.py measures it), and the shortcuts it takes keep the rules."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from devtools.publish import publish
from packages.models import ProhibitedProjectName
from upstream import files
from upstream.models import UpstreamIndex

pytestmark = pytest.mark.django_db
JSON = "application/vnd.pypi.simple.v1+json"


def queries(fn):
    with CaptureQueriesContext(connection) as captured:
        response = fn()
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    return response, len(captured)


def test_cached_page_and_file_cost_two_and_one_queries(client, settings, upstream, own_package_storage):
    settings.UPSTREAM_INDEX_URL = upstream.url
    filename = upstream.add("pub-a", "1.0", metadata_file=True)
    sha = upstream.projects["pub-a"][0][2]
    assert client.get("/simple/pub-a/").status_code == 200
    url = files.url_path("pub-a", sha, filename)
    for path in (url, url + ".metadata") * 2:  # fetched, then marked as downloaded today
        queries(lambda: client.get(path))  # read to the end, as a WSGI server does: then stored

    response, count = queries(lambda: client.get("/simple/pub-a/", HTTP_ACCEPT=JSON))
    assert response.status_code == 200 and count == 2  # the local lookup, then the name's one check
    for path in (url, url + ".metadata", url):
        response, count = queries(lambda: client.get(path))
        assert response.status_code == 200 and count == 1  # the name's check; the page's row is cached


@pytest.mark.parametrize("taken_by", ["local", "prohibited"])
def test_a_name_taken_since_is_not_served_from_the_cache(client, settings, upstream, taken_by):
    settings.UPSTREAM_INDEX_URL = upstream.url
    filename = upstream.add("pub-a", "1.0")
    sha = upstream.projects["pub-a"][0][2]
    assert client.get("/simple/pub-a/").status_code == 200
    if taken_by == "local":
        publish(UserFactory(), "pub-a", "5.0", kinds=("wheel",))
    else:
        ProhibitedProjectName.objects.create(name="pub-a")
    assert client.get(files.url_path("pub-a", sha, filename)).status_code == 404
    page = client.get("/simple/pub-a/", HTTP_ACCEPT=JSON)
    assert page.status_code == 404 or json.loads(page.content)["versions"] == ["5.0"]


def test_an_upstream_added_in_the_admin_is_asked_at_once(client, upstream):
    upstream.add("pub-a", "1.0")
    assert client.get("/simple/pub-a/").status_code == 404  # none configured (remembered)
    _, count = queries(lambda: client.get("/simple/pub-b/"))
    assert count == 1  # the local lookup alone
    row = UpstreamIndex.objects.create(name="corp", url=upstream.url)
    assert client.get("/simple/pub-a/").status_code == 200
    row.delete()
    assert client.get("/simple/pub-c/").status_code == 404
    assert upstream.requests == ["/simple/pub-a/"]
