"""Login by username or email, failures, logout, password reset by mail, password change."""

import pytest
from django.test import Client

from accounts.models import SecurityEvent

from .support import link_in, path_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("login", ["alice", "alice@example.com", "ALICE@example.com"])
def test_login_by_username_or_email(client, user, password, login):
    response = client.post("/account/login/", {"login": login, "password": password})
    assert response.status_code == 302
    assert client.get("/manage/account/").status_code == 200
    event = user.security_events.get(tag=SecurityEvent.Tag.LOGIN)
    assert event.ip_address == "127.0.0.1"


@pytest.mark.parametrize("login", ["alice", "alice@example.com"])
def test_wrong_password_is_a_form_error_and_recorded(client, user, login):
    response = client.post("/account/login/", {"login": login, "password": "not-the-password"})
    assert response.status_code == 200
    assert "are not correct" in " ".join(response.context["form"].non_field_errors())
    assert b"are not correct" in response.content
    failed = user.security_events.get(tag=SecurityEvent.Tag.LOGIN_FAILED)
    assert failed.details == {"reason": "wrong password"} and failed.ip_address == "127.0.0.1"
    assert client.get("/manage/account/").status_code == 302


def test_unknown_account_login_fails_cleanly(client, user):
    response = client.post("/account/login/", {"login": "nobody", "password": "whatever-123"})
    assert response.status_code == 200 and response.context["form"].errors
    assert not SecurityEvent.objects.exists()


def test_logout_is_recorded(client, user):
    client.force_login(user)
    response = client.post("/account/logout/")
    assert response.status_code == 302
    assert client.get("/manage/account/").status_code == 302
    assert user.security_events.filter(tag=SecurityEvent.Tag.LOGOUT).exists()


def test_password_reset_by_mail(client, user, deliver, outbox):
    with deliver():
        response = client.post("/account/password/reset/", {"email": "alice@example.com"})
    assert response.status_code == 302
    assert [m.to for m in outbox] == [["alice@example.com"]]
    path = path_of(link_in(outbox[0], "/account/password/reset/key/"))
    form_page = client.get(path, follow=True)
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path
    assert b'id="password-feedback"' in form_page.content
    with deliver():
        response = client.post(action, {"password1": "new-river-stone-77", "password2": "new-river-stone-77"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("new-river-stone-77")
    assert user.security_events.filter(tag=SecurityEvent.Tag.PASSWORD_RESET).exists()
    # allauth tells the primary address that the password was reset.
    assert len(outbox) == 2 and outbox[1].to == ["alice@example.com"]
    # The link works once only.
    reused = Client().get(path, follow=True)
    assert reused.status_code == 200 and b"invalid, possibly because it has already been used" in reused.content


def test_password_reset_for_unknown_address_is_a_form_error(client, user, outbox):
    response = client.post("/account/password/reset/", {"email": "nobody@example.com"})
    assert response.status_code == 200 and response.context["form"].errors["email"]


def test_password_change_logs_out_other_sessions(user, password, deliver, outbox):
    here, elsewhere = Client(), Client()
    for c in (here, elsewhere):
        assert c.post("/account/login/", {"login": "alice", "password": password}).status_code == 302
    with deliver():
        response = here.post(
            "/account/password/change/",
            {"oldpassword": password, "password1": "fresh-maple-canyon-9", "password2": "fresh-maple-canyon-9"},
        )
    assert response.status_code == 302
    assert here.get("/manage/account/").status_code == 200
    assert elsewhere.get("/manage/account/").status_code == 302  # that session no longer authenticates
    assert user.security_events.filter(tag=SecurityEvent.Tag.PASSWORD_CHANGED).exists()
    assert [m.to for m in outbox] == [["alice@example.com"]] and "password" in outbox[0].subject.lower()


def test_password_change_with_wrong_old_password_is_a_form_error(client, user):
    client.force_login(user)
    response = client.post(
        "/account/password/change/",
        {"oldpassword": "wrong-one-123", "password1": "fresh-maple-canyon-9", "password2": "fresh-maple-canyon-9"},
    )
    assert response.status_code == 200 and "oldpassword" in response.context["form"].errors
