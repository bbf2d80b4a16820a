"""The admin logs in through allauth (2FA step, rate limits) and opens for staff with 2FA only."""

import pytest
from django.test import Client

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from devtools.testing.staff import add_totp, login_with_totp, staff_login, totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def test_admin_login_is_allauths_login_with_next(client):
    response = client.get("/admin/login/?next=/admin/packages/project/")
    assert response.status_code == 302
    assert response["Location"] == "/account/login/?next=%2Fadmin%2Fpackages%2Fproject%2F"
    assert client.get("/admin/accounts/user/")["Location"].startswith("/admin/login/?next=")
    # Django's own form is gone: posting a password there logs no one in.
    UserFactory(username="root", is_staff=True, is_superuser=True)
    client.post("/admin/login/", {"username": "root", "password": DEFAULT_PASSWORD})
    assert client.get("/admin/").status_code == 302


def test_a_superuser_with_totp_needs_the_code_to_reach_the_admin(superuser):
    secret = add_totp(superuser)
    browser = Client()
    first = browser.post("/account/login/?next=/admin/", {"login": "root", "password": DEFAULT_PASSWORD})
    assert first["Location"].startswith("/account/2fa/authenticate/")
    assert browser.get("/admin/").status_code == 302  # the password alone opens nothing
    assert browser.get("/manage/account/tokens/new/").status_code == 302
    done = browser.post("/account/2fa/authenticate/", {"code": totp_code(secret)})
    assert done["Location"] == "/admin/"
    assert browser.get("/admin/").status_code == 200


def test_staff_without_two_factor_is_sent_to_set_it_up(superuser):
    browser = Client()
    browser.post("/account/login/", {"login": "root", "password": DEFAULT_PASSWORD})
    assert browser.get("/manage/account/").status_code == 200  # logged in to the site
    response = browser.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/account/2fa/")
    assert "Staff accounts need two-factor authentication" in response.content.decode()
    assert browser.get("/admin/accounts/user/").status_code == 302


def test_a_session_without_the_second_factor_must_pass_it_first(superuser, settings):
    # E.g. a session from before the account had 2FA: the admin asks for the code first.
    secret = add_totp(superuser)
    browser = Client()
    browser.force_login(superuser)
    response = browser.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/account/2fa/reauthenticate/?next=%2Fadmin%2F")
    done = browser.post("/account/2fa/reauthenticate/?next=/admin/", {"code": totp_code(secret)})
    assert done["Location"] == "/admin/"
    assert browser.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/manage/account/tokens/new/",
        "/manage/account/delete/",
        "/manage/projects/",
        "/account/email/",
        "/account/password/change/",
    ],
)
def test_sensitive_pages_need_the_second_factor_of_a_2fa_account(user, password, path):
    secret = add_totp(user)
    browser = Client()
    browser.force_login(user)  # a session that never passed the second factor
    browser.post("/account/reauthenticate/", {"password": password})  # a password is not enough
    response = browser.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/account/2fa/reauthenticate/")
    browser.post("/account/2fa/reauthenticate/", {"code": totp_code(secret)})
    assert browser.get(path).status_code == 200
    assert Client().get(path).status_code == 302  # (and, of course, nothing without a login)


def test_the_demo_user_is_exempt_with_debug_only(settings):
    demo = UserFactory(username="demo", is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(demo)
    assert browser.get("/admin/").status_code == 302
    settings.DEBUG = True
    assert browser.get("/admin/").status_code == 200


def test_the_setting_turns_the_requirement_off(superuser, settings):
    settings.STAFF_REQUIRE_2FA = False
    browser = Client()
    browser.force_login(superuser)
    assert browser.get("/admin/").status_code == 200


def test_non_staff_never_reach_the_admin(user, password):
    secret = add_totp(user)
    browser = Client()
    login_with_totp(browser, "alice", password, secret)
    assert browser.get("/admin/").status_code == 302
    assert browser.get("/admin/login/").status_code == 403


def test_failed_admin_logins_are_rate_limited(superuser, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/5m/ip,5/5m/key"}
    for _ in range(5):
        Client().post("/account/login/?next=/admin/", {"login": "root", "password": "wrong-password"})
    blocked = Client().post("/account/login/?next=/admin/", {"login": "root", "password": DEFAULT_PASSWORD})
    assert "Too many failed login attempts" in blocked.content.decode()


def test_staff_login_helper_opens_the_admin(superuser):
    browser = Client()
    staff_login(browser, superuser, DEFAULT_PASSWORD)
    assert browser.get("/admin/").status_code == 200


def test_the_admins_password_change_is_allauths(superuser):
    browser = Client()
    staff_login(browser, superuser, DEFAULT_PASSWORD)
    response = browser.get("/admin/password_change/")
    assert response.status_code == 302 and response["Location"] == "/account/password/change/"
    browser.post(
        "/admin/password_change/",
        {"old_password": DEFAULT_PASSWORD, "new_password1": "x-new-pass-123", "new_password2": "x-new-pass-123"},
    )
    superuser.refresh_from_db()
    assert superuser.check_password(DEFAULT_PASSWORD)  # nothing changed behind allauth's back
