"""/simple/ lists the local projects and the upstream projects this index has cached, in HTML and
PEP 691 JSON, kept up to date by the index store as names are first served from an upstream."""

import json

import pytest
from django.core.cache import cache
from pypi_simple import IndexPage

from accounts.tests.factories import UserFactory
from api.simple import index_store
from api.tests.test_simple_index import assert_index_is_full_read
from devtools.publish import publish
from packages import services
from packages.models import ProhibitedProjectName
from upstream import listing
from upstream.models import UpstreamProject

pytestmark = pytest.mark.django_db

JSON = "application/vnd.pypi.simple.v1+json"


def _names(client):
    body = b"".join(client.get("/simple/", HTTP_ACCEPT=JSON).streaming_content)
    json_names = [p["name"] for p in json.loads(body)["projects"]]
    html = b"".join(client.get("/simple/").streaming_content).decode()
    assert list(IndexPage.from_html(html).projects) == json_names
    return json_names


def test_cached_upstream_projects_are_listed_with_the_local_ones(client, settings, upstream, small_segments):
    settings.UPSTREAM_INDEX_URL = upstream.url
    user = UserFactory()
    for name in ("alpha", "echo", "kilo"):
        services.create_project(name, user)
    assert _names(client) == ["alpha", "echo", "kilo"]
    for name in ("delta", "zulu"):
        upstream.add(name, "1.0")
        assert client.get(f"/simple/{name}/").status_code == 200  # now cached: listed
    assert client.get("/simple/nobody-has-it/").status_code == 404  # a miss: not listed
    before = client.get("/simple/", HTTP_ACCEPT=JSON)["ETag"]
    upstream.add("bravo", "1.0")
    client.get("/simple/bravo/")
    response = client.get("/simple/", HTTP_ACCEPT=JSON)
    assert response["ETag"] != before  # no local serial moved, the listing did
    assert _names(client) == ["alpha", "bravo", "delta", "echo", "kilo", "zulu"]
    assert_index_is_full_read(client)  # the update equals a full build
    # Without the local serial moving, a new node (an empty store) builds the same list.
    index_store.clear()
    assert _names(client) == ["alpha", "bravo", "delta", "echo", "kilo", "zulu"]


def test_a_name_taken_locally_is_listed_once_and_prohibited_ones_not_at_all(client, settings, upstream):
    settings.UPSTREAM_INDEX_URL = upstream.url
    for name in ("pub-a", "pub-b"):
        upstream.add(name, "1.0")
        client.get(f"/simple/{name}/")
    assert _names(client) == ["pub-a", "pub-b"]
    UpstreamProject.objects.filter(normalized_name="pub-a").update(released_for_local=True)
    publish(UserFactory(), "pub-a", "5.0", kinds=("wheel",))
    assert _names(client) == ["pub-a", "pub-b"]
    ProhibitedProjectName.objects.create(name="pub-b")
    index_store.clear()  # (a prohibition is not in the journal: seen at the next full build)
    assert _names(client) == ["pub-a"]


def test_rows_cached_before_the_listing_existed_are_listed(client, settings):
    UpstreamProject.objects.create(normalized_name="old-one", upstream="env", files=[], versions=[])
    assert _names(client) == []  # not listed_at: this is what the migration fills in
    UpstreamProject.objects.filter(normalized_name="old-one").update(listed_at="2026-01-01T00:00:00Z")
    cache.delete(listing.MARKER_KEY)  # what a minute does: the marker is read again
    assert _names(client) == ["old-one"]
