"""API tokens in the browser: reauthentication, scopes, expiry, shown once, last used, revoke."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import ApiToken, SecurityEvent
from accounts.tokens import TokenError, authenticate_token

from .factories import UserFactory
from .support import reauthenticate

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(user):
    from packages import services

    return services.create_project("alpha-pkg", user)


@pytest.fixture
def fresh(client, user, password):
    client.force_login(user)
    reauthenticate(client, password)
    return client


def test_token_pages_need_login(client):
    for url in ("/manage/account/tokens/", "/manage/account/tokens/new/"):
        response = client.get(url)
        assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_creating_a_token_needs_recent_reauthentication(client, user, password):
    client.force_login(user)
    response = client.post("/manage/account/tokens/new/", {"name": "ci", "scope": "account"})
    assert response.status_code == 302 and response["Location"].startswith("/account/reauthenticate/")
    assert not ApiToken.objects.exists()
    # After reauthenticating, allauth replays the suspended POST.
    response = client.post(response["Location"], {"password": password})
    assert ApiToken.objects.filter(user=user, name="ci").count() == 1


def test_create_account_token_is_shown_once_and_works(fresh, user, deliver, outbox):
    with deliver():
        response = fresh.post("/manage/account/tokens/new/", {"name": "laptop", "scope": "account", "expires": ""})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    raw = response.context["issued"].raw
    assert raw.encode() in response.content
    html = response.content.decode()  # copy buttons for the token and its .pypirc snippet
    assert 'data-copy="new-token"' in html and 'data-copy="pypirc"' in html and '<code id="pypirc">' in html
    token = authenticate_token(raw)
    assert token.user == user and token.project is None and token.expires is None
    listing = fresh.get("/manage/account/tokens/")
    assert b"laptop" in listing.content and raw.encode() not in listing.content
    assert b"Entire account" in listing.content
    event = user.security_events.get(tag=SecurityEvent.Tag.TOKEN_CREATED)
    assert event.details["token"] == "laptop" and event.ip_address == "127.0.0.1"
    assert [m.to for m in outbox] == [["alice@example.com"]]
    assert "API token" in outbox[0].subject and "laptop" in outbox[0].body and raw not in outbox[0].body


def test_project_scoped_token_with_expiry(fresh, user, project):
    day = timezone.now().date() + datetime.timedelta(days=30)
    response = fresh.post(
        "/manage/account/tokens/new/", {"name": "alpha ci", "scope": str(project.pk), "expires": day.isoformat()}
    )
    assert response.status_code == 200, response.context["form"].errors
    token = ApiToken.objects.get(name="alpha ci")
    assert token.project == project and token.expires.date() == day
    assert b"Project: alpha-pkg" in fresh.get("/manage/account/tokens/").content


@pytest.mark.parametrize(
    "data, field",
    [
        ({"name": "", "scope": "account"}, "name"),
        ({"name": "x", "scope": "999999"}, "scope"),
        ({"name": "x", "scope": "account", "expires": "2000-01-01"}, "expires"),
        ({"name": "x", "scope": "account", "expires": "not a date"}, "expires"),
        ({"name": "x" * 101, "scope": "account"}, "name"),
    ],
)
def test_bad_token_input_is_a_form_error(fresh, data, field):
    response = fresh.post("/manage/account/tokens/new/", data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_cannot_scope_a_token_to_someone_elses_project(fresh, db):
    from packages import services

    theirs = services.create_project("bobs-pkg", UserFactory(username="bob"))
    page = fresh.get("/manage/account/tokens/new/")
    assert b"bobs-pkg" not in page.content
    response = fresh.post("/manage/account/tokens/new/", {"name": "x", "scope": str(theirs.pk)})
    assert "scope" in response.context["form"].errors


def test_last_used_and_revoke(fresh, user, token_for):
    raw = token_for(user, name="deploy")
    token = ApiToken.objects.get(name="deploy")
    assert b"Never" in fresh.get("/manage/account/tokens/").content
    authenticate_token(raw)
    token.refresh_from_db()
    assert token.last_used is not None
    assert token.last_used.strftime("%Y-%m-%d %H:%M").encode() in fresh.get("/manage/account/tokens/").content

    response = fresh.post(f"/manage/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    with pytest.raises(TokenError, match="revoked"):
        authenticate_token(raw)
    assert user.security_events.filter(tag=SecurityEvent.Tag.TOKEN_REVOKED).exists()
    assert b"Revoked" in fresh.get("/manage/account/tokens/").content


def test_cannot_revoke_someone_elses_token(fresh, token_for, db):
    bob = UserFactory(username="bob")
    raw = token_for(bob)
    token = ApiToken.objects.get(user=bob)
    assert fresh.post(f"/manage/account/tokens/{token.pk}/revoke/").status_code == 404
    assert fresh.get(f"/manage/account/tokens/{token.pk}/revoke/").status_code == 405
    assert authenticate_token(raw).user == bob
