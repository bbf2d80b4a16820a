"""Registration, email confirmation (expiring, single use, resend), password policy, rate limit, CSRF."""

import time

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from accounts.models import User

from .factories import UserFactory
from .support import link_in, path_of

pytestmark = pytest.mark.django_db

GOOD = "tulip-orbit-quarry-42"


def signup_data(**overrides):
    data = {
        "username": "carol",
        "name": "Carol Jones",
        "email": "carol@example.com",
        "password1": GOOD,
        "password2": GOOD,
    }
    data.update(overrides)
    return data


def test_signup_page_has_labelled_fields_in_order(client):
    html = client.get("/account/signup/").content.decode()
    positions = [html.index(f'for="id_{name}"') for name in ("username", "name", "email", "password1", "password2")]
    assert positions == sorted(positions)
    assert 'id="password-feedback"' in html and 'aria-live="polite"' in html


def test_signup_sends_confirmation_and_link_verifies_and_logs_in(client, deliver, outbox):
    with deliver():
        response = client.post("/account/signup/", signup_data())
    assert response.status_code == 302 and response["Location"] == "/account/confirm-email/"
    user = User.objects.get(username="carol")
    assert user.name == "Carol Jones" and user.display_name == "Carol Jones"
    assert user.check_password(GOOD)
    assert not user.has_verified_primary_email()
    assert [m.to for m in outbox] == [["carol@example.com"]]
    url = link_in(outbox[0], "/account/confirm-email/")
    page = client.get(path_of(url))
    assert b"carol@example.com" in page.content and page.status_code == 200
    with deliver():
        response = client.post(path_of(url))
    assert response.status_code == 302
    assert user.has_verified_primary_email()
    assert client.get("/manage/account/").status_code == 200  # logged in on confirmation
    assert user.security_events.filter(tag="email_verified").exists()


def test_reused_confirmation_link_says_so(client, deliver, outbox):
    with deliver():
        client.post("/account/signup/", signup_data())
    path = path_of(link_in(outbox[0], "/account/confirm-email/"))
    with deliver():
        client.post(path)
    again = Client().get(path)
    assert again.status_code == 200
    assert b"has expired, has already been used, or is invalid" in again.content
    posted = Client().post(path)
    assert posted.status_code == 410 and b"has expired, has already been used, or is invalid" in posted.content


def test_expired_confirmation_link_is_refused(client, deliver, outbox, monkeypatch):
    with deliver():
        client.post("/account/signup/", signup_data())
    path = path_of(link_in(outbox[0], "/account/confirm-email/"))
    later = time.time() + 4 * 24 * 3600  # links live ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3 days
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    response = Client().post(path)
    assert response.status_code == 410 and b"has expired, has already been used, or is invalid" in response.content
    assert b"has expired, has already been used, or is invalid" in Client().get(path).content
    assert not User.objects.get(username="carol").has_verified_primary_email()


def test_unverified_login_resends_the_link(client, deliver, outbox):
    with deliver():
        client.post("/account/signup/", signup_data())
    Client().logout()
    other = Client()
    with deliver():
        response = other.post("/account/login/", {"login": "carol", "password": GOOD})
    assert response.status_code == 302 and response["Location"] == "/account/confirm-email/"
    assert len(outbox) == 2 and "/account/confirm-email/" in outbox[1].body
    assert other.get("/manage/account/").status_code == 302  # not logged in


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"username": "alice"}, "username", "A user with that username already exists."),
        ({"email": "alice@example.com"}, "email", "A user is already registered with this email address."),
        ({"password1": "short1", "password2": "short1"}, "password1", "too short"),
        ({"password1": "password123", "password2": "password123"}, "password1", "too common"),
        ({"password1": "12345678901234", "password2": "12345678901234"}, "password1", "entirely numeric"),
        ({"password2": GOOD + "x"}, "password2", "same password"),
        ({"email": "not-an-email"}, "email", "valid email"),
    ],
)
def test_bad_signup_input_gives_form_errors(client, user, overrides, field, message):
    response = client.post("/account/signup/", signup_data(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field]), errors
    assert message.encode() in response.content or message in response.content.decode().replace("&#x27;", "'")
    assert not User.objects.filter(username="carol").exists()


def test_password_check_endpoint_runs_the_validators(client):
    weak = client.post("/account/password-check/", {"password": "carol2024", "username": "carol"}).json()
    assert weak["ok"] is False and any("too short" in p for p in weak["problems"])
    similar = client.post("/account/password-check/", {"password": "carolinejones", "username": "carolinejones"}).json()
    assert similar["ok"] is False and any("similar" in p for p in similar["problems"])
    assert client.post("/account/password-check/", {"password": GOOD, "username": "carol"}).json() == {
        "ok": True,
        "problems": [],
    }
    assert client.get("/account/password-check/").status_code == 405


def test_signup_is_rate_limited(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"signup": "2/m/ip"}
    for n in range(2):
        client.post("/account/signup/", signup_data(username=f"u{n}", email=f"u{n}@example.com"))
    response = client.post("/account/signup/", signup_data(username="u9", email="u9@example.com"))
    assert response.status_code == 429
    assert not User.objects.filter(username="u9").exists()


@pytest.mark.parametrize("url", ["/account/signup/", "/account/login/", "/manage/account/"])
def test_posts_without_csrf_token_are_refused(url):
    user = UserFactory(username="dora")
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(user)
    response = csrf_client.post(url, {"name": "x", "login": "dora", "password": "x"})
    assert response.status_code == 403
    assert b"CSRF" in response.content
    assert User.objects.get(pk=user.pk).name != "x"


def test_signup_mail_survives_only_committed_work(client, outbox, django_capture_on_commit_callbacks):
    # Without a commit (the callbacks are captured but not run) nothing is sent.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post("/account/signup/", signup_data())
    assert outbox == [] and len(callbacks) == 1
    assert EmailAddress.objects.filter(email="carol@example.com", verified=False).exists()
