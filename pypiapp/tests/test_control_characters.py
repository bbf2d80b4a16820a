"""Issue 14: NUL (and other control characters) in a URL, a query string or a cookie never
reach a view (PostgreSQL refuses NUL in text: these were 500s); a clear 400 instead."""

import pytest

from devtools.publish import publish

pytestmark = pytest.mark.django_db

PATHS = [
    "/simple/a%00b/",
    "/simple/a%01b/",
    "/pypi/a%00b/json",
    "/pypi/demo/1.0%00/json",
    "/project/a%00b/",
    "/project/demo/1%00.0/",
    "/user/a%00b/",
    "/rss/project/a%00b/releases.xml",
    "/manage/project/a%00b/",
    "/packages/a%00b",
    "/project/a%7fb/",
    "/search/%00",
]


@pytest.fixture
def demo(user):
    publish(user, "demo", "1.0")


@pytest.mark.parametrize("path", PATHS)
def test_control_characters_in_a_path_are_a_400(client, demo, path):
    response = client.get(path)
    assert response.status_code == 400, path
    assert b"control characters" in response.content


@pytest.mark.parametrize("query", ["q=a%00b", "q=%1b[31m", "page=%00", "c=%00", "format=%00"])
@pytest.mark.parametrize("path", ["/search/", "/simple/demo/", "/admin/packages/project/"])
def test_control_characters_in_a_query_string_are_a_400(client, demo, path, query):
    assert client.get(f"{path}?{query}").status_code == 400


def test_a_cookie_with_nul_is_dropped_not_looked_up(client, demo):
    # Django's cookie parser unquotes \000 in a quoted value to NUL.
    response = client.get("/manage/projects/", HTTP_COOKIE='sessionid="abcdefgh\\000ijklmnop"')
    assert response.status_code == 302  # no session: to the login page


@pytest.mark.parametrize("header", ["HTTP_USER_AGENT", "HTTP_ACCEPT", "HTTP_X_FORWARDED_FOR", "HTTP_REFERER"])
def test_a_header_with_nul_is_a_400(client, demo, header):
    # The User-Agent is stored with security events: NUL would reach PostgreSQL.
    response = client.get("/project/demo/", **{header: "a\x00b"})
    assert response.status_code == 400 and b"header contains" in response.content
    assert client.get("/project/demo/", **{header: "a\tb"}).status_code == 200


def test_ordinary_urls_still_work(client, demo):
    assert client.get("/project/demo/").status_code == 200
    assert client.get("/search/?q=demo%20tool").status_code == 200
    assert client.get("/simple/demo/").status_code == 200
