"""Error answers: pages in the site's layout for people, short plain text for pip and twine."""

import json

import pytest
from django.test import Client, RequestFactory, override_settings

from accounts.tests.factories import UserFactory
from core import errors
from devtools.publish import publish
from packages import flags, services
from packages.models import AdminFlag, Project, Role

pytestmark = pytest.mark.django_db


def _is_error_page(response, status, *phrases):
    body = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert 'class="site-header"' in body and 'role="search"' in body and 'href="/"' in body
    assert body.count("<h1") == 1
    for phrase in phrases:
        assert phrase in body, phrase
    return body


def test_unknown_page_is_a_404_page_in_the_site_layout(client):
    _is_error_page(client.get("/no/such/page/"), 404, "Page not found", "Go to the home page")


def test_installer_and_api_paths_keep_short_plain_errors(client):
    for path in ("/simple/no-such-project/", "/packages/00/00/" + "0" * 60 + "/x.whl", "/legacy/a/b/c/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"].startswith("text/plain"), path
        assert b"<html" not in response.content.lower()
    response = client.get("/pypi/no-such-project/json")
    assert response.status_code == 404 and json.loads(response.content)["message"]


def test_a_403_shows_the_reason_the_view_gave(client, user):
    publish(user, "proj", "1.0", kinds=("wheel",))
    maintainer = UserFactory(username="mia")
    services.add_role(Project.objects.get(name="proj"), maintainer, Role.MAINTAINER, user)
    client.force_login(maintainer)
    response = client.post("/manage/project/proj/settings/delete/", {"confirm": "proj"})
    _is_error_page(response, 403, "Only an Owner of this project can do that.")


def test_opening_a_post_only_url_in_the_browser_explains_itself(client, user):
    publish(user, "proj", "1.0", kinds=("wheel",))
    client.force_login(user)
    response = client.get("/manage/project/proj/release/1.0/yank/")
    _is_error_page(response, 405, "only works from the button on its page")
    assert response["Allow"] == "POST"


def test_csrf_failure_page_says_how_to_recover(user):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/account/login/", {"login": "alice", "password": "x"})
    _is_error_page(response, 403, "Your form expired", "Reload the page")


def test_read_only_mode_is_a_503_page_for_people_and_plain_for_twine(client, user):
    AdminFlag.objects.update_or_create(id=flags.READ_ONLY, defaults={"enabled": True, "description": "maintenance"})
    client.force_login(user)
    page = client.post("/manage/account/", {"display_name": "x"})
    _is_error_page(page, 503, "read-only mode for maintenance")
    upload = client.post("/legacy/", {":action": "file_upload"})
    assert upload.status_code == 503 and upload["Content-Type"].startswith("text/plain")


def test_too_many_requests_page():
    request = RequestFactory().get("/account/login/")
    _is_error_page(errors.too_many_requests(request), 429, "Too many requests")


def test_500_and_503_pages_render_without_the_database(django_assert_num_queries):
    request = RequestFactory().get("/project/x/")
    with django_assert_num_queries(0):
        _is_error_page(errors.server_error(request), 500, "Something went wrong")
        _is_error_page(errors.error_response(request, 503), 503, "Temporarily unavailable")


@override_settings(ROOT_URLCONF="core.tests.crash_urls")
def test_a_crash_on_a_page_gives_the_500_page():
    response = Client(raise_request_exception=False).get("/crash/")
    _is_error_page(response, 500, "Something went wrong")
