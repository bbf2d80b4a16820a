"""Two-factor authentication with allauth MFA: TOTP, recovery codes, login second step, reauthentication."""

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client

from accounts.models import SecurityEvent
from devtools.testing.staff import totp_code

from .support import reauthenticate

pytestmark = pytest.mark.django_db


def activate_totp(client, password, deliver):
    """Reauthenticate, read the secret from the activation page, confirm it with a code."""
    first = client.get("/account/2fa/totp/activate/")
    assert first.status_code == 302 and first["Location"].startswith("/account/reauthenticate/")
    reauthenticate(client, password)
    page = client.get("/account/2fa/totp/activate/")
    assert page.status_code == 200
    secret = page.context["form"].secret
    assert secret in page.content.decode()  # shown for manual entry next to the QR code
    with deliver():
        response = client.post("/account/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302, response.context["form"].errors
    return secret


@pytest.fixture
def with_totp(client, user, password, deliver, outbox):
    client.force_login(user)
    secret = activate_totp(client, password, deliver)
    client.logout()
    outbox.clear()
    return secret


def test_activation_needs_a_correct_code(client, user, password):
    client.force_login(user)
    reauthenticate(client, password)
    client.get("/account/2fa/totp/activate/")
    response = client.post("/account/2fa/totp/activate/", {"code": "000000"})
    assert response.status_code == 200
    assert "Incorrect code" in " ".join(response.context["form"].errors["code"])
    assert not Authenticator.objects.filter(user=user).exists()
    assert not user.has_two_factor()


def test_activation_records_event_creates_recovery_codes_and_mails(client, user, password, deliver, outbox):
    client.force_login(user)
    activate_totp(client, password, deliver)
    assert user.has_two_factor()
    types = set(Authenticator.objects.filter(user=user).values_list("type", flat=True))
    assert types == {"totp", "recovery_codes"}
    assert user.security_events.filter(tag=SecurityEvent.Tag.MFA_ADDED, details__method="totp").exists()
    assert any("Authenticator App Activated" in m.subject for m in outbox), [m.subject for m in outbox]
    assert all(m.to == ["alice@example.com"] for m in outbox)


def test_login_asks_for_the_second_factor(with_totp, user, password):
    browser = Client()
    response = browser.post("/account/login/", {"login": "alice", "password": password})
    assert response.status_code == 302 and response["Location"] == "/account/2fa/authenticate/"
    assert browser.get("/manage/account/").status_code == 302  # not logged in yet

    wrong = browser.post("/account/2fa/authenticate/", {"code": "123456"})
    assert wrong.status_code == 200 and "Incorrect code" in " ".join(wrong.context["form"].errors["code"])
    failed = user.security_events.get(tag=SecurityEvent.Tag.LOGIN_FAILED)
    assert failed.details["reason"] == "wrong two-factor code"

    response = browser.post("/account/2fa/authenticate/", {"code": totp_code(with_totp)})
    assert response.status_code == 302
    assert browser.get("/manage/account/").status_code == 200
    assert user.security_events.filter(tag=SecurityEvent.Tag.LOGIN).first().details == {"two_factor": True}


def test_a_totp_code_works_once(with_totp, password):
    first = Client()
    first.post("/account/login/", {"login": "alice", "password": password})
    # Read after the password step (Argon2, slow on a loaded machine), so that it is still the
    # current 30-second window's code when it is sent.
    code = totp_code(with_totp)
    assert first.post("/account/2fa/authenticate/", {"code": code}).status_code == 302
    second = Client()
    second.post("/account/login/", {"login": "alice", "password": password})
    assert second.post("/account/2fa/authenticate/", {"code": code}).status_code == 200


def test_login_with_a_recovery_code(with_totp, user, password):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    codes = RecoveryCodes(Authenticator.objects.get(user=user, type="recovery_codes")).get_unused_codes()
    browser = Client()
    browser.post("/account/login/", {"login": "alice", "password": password})
    assert browser.post("/account/2fa/authenticate/", {"code": codes[0]}).status_code == 302
    assert browser.get("/manage/account/").status_code == 200


def test_deactivation_needs_reauthentication(client, with_totp, user, password, deliver, outbox):
    client.force_login(user)
    response = client.post("/account/2fa/totp/deactivate/", {})
    assert response.status_code == 302 and "/reauthenticate/" in response["Location"]
    assert user.has_two_factor()
    reauthenticate(client, password)
    with deliver():
        response = client.post("/account/2fa/totp/deactivate/", {})
    assert response.status_code == 302
    assert not user.has_two_factor()
    assert user.security_events.filter(tag=SecurityEvent.Tag.MFA_REMOVED).exists()
    assert any("Deactivated" in m.subject for m in outbox), [m.subject for m in outbox]


def test_wrong_password_on_reauthentication_is_a_form_error(client, user):
    client.force_login(user)
    response = client.post("/account/reauthenticate/", {"password": "not-it-at-all"})
    assert response.status_code == 200 and response.context["form"].errors["password"]
    event = user.security_events.get(tag=SecurityEvent.Tag.LOGIN_FAILED)
    assert event.details == {"reason": "wrong password"} and event.ip_address == "127.0.0.1"


def test_two_factor_pages_render_in_the_site_layout(client, with_totp, user):
    client.force_login(user)
    for url in ("/account/2fa/", "/account/2fa/webauthn/add/"):
        page = client.get(url, follow=True)
        assert page.status_code == 200
        assert b'class="site-header"' in page.content
