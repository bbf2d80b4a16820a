"""The whole account journey in Chromium: register, confirm, TOTP, log in with a code, token, twine upload."""

import os
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from devtools.dists import write_dists
from devtools.publish import publish
from devtools.testing import clients
from devtools.testing.staff import totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

PASSWORD = "violet-harbor-tangent-58"


def shoot(screenshot, page, name):
    overflow = screenshot(page, f"accounts-{name}")
    assert overflow <= 0, f"{name}: {overflow}px of horizontal scrolling at phone width"


def reauthenticate_if_asked(page):
    if "/account/reauthenticate/" in page.url:
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name=re.compile("Confirm", re.I)).click()
        page.wait_for_url(lambda url: "/account/reauthenticate/" not in url)


@pytest.fixture(scope="module")
def orm_beside_playwright():
    """Playwright's sync API keeps an event loop in this thread; Django must be told the ORM calls
    here (and the database teardown after the test) are ordinary synchronous code."""
    old = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if old is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = old


# Fixture order matters: the environment and the database come before the browser starts.
def test_register_confirm_totp_login_token_upload(
    orm_beside_playwright, transactional_db, index_url, page, screenshot, tmp_path
):
    from accounts.models import User

    mail.outbox = []

    # Register, with live password feedback.
    page.goto(f"{index_url}/account/signup/")
    page.get_by_label("Username").fill("walter")
    page.get_by_label("Display name").fill("Walter White")
    page.get_by_label("Email").fill("walter@example.com")
    page.locator("#id_password1").fill("12345")
    feedback = page.locator("#password-feedback")
    assert feedback.is_visible()
    page.wait_for_selector('#password-feedback [data-rule="length"][data-state="bad"]')
    page.wait_for_selector('#password-feedback [data-rule="server"][data-state="bad"]')
    assert "too short" in feedback.inner_text()
    page.locator("#id_password1").fill(PASSWORD)
    page.wait_for_selector('#password-feedback [data-rule="server"][data-state="ok"]')
    page.locator("#id_password2").fill(PASSWORD)
    shoot(screenshot, page, "signup")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/account/confirm-email/")
    shoot(screenshot, page, "verification-sent")

    # Confirm from the mail the site sent.
    assert [m.to for m in mail.outbox] == [["walter@example.com"]]
    link = re.search(r"https?://\S+/account/confirm-email/\S+", mail.outbox[0].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(lambda url: "/account/confirm-email/" not in url)
    user = User.objects.get(username="walter")
    assert user.has_verified_primary_email() and user.name == "Walter White"

    # Account pages.
    page.goto(f"{index_url}/manage/account/")
    assert page.get_by_role("heading", name="Account settings").is_visible()
    shoot(screenshot, page, "settings")
    page.goto(f"{index_url}/account/email/")
    shoot(screenshot, page, "emails")

    # Turn on TOTP (after re-entering the password).
    page.goto(f"{index_url}/account/2fa/totp/activate/")
    reauthenticate_if_asked(page)
    page.wait_for_url("**/account/2fa/totp/activate/")
    shoot(screenshot, page, "totp-activate")
    page.reload()  # each visit (the phone screenshot too) draws a new secret for this session
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("#id_code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()
    page.wait_for_url("**/account/2fa/recovery-codes/")
    assert user.has_two_factor()
    page.goto(f"{index_url}/account/2fa/")
    shoot(screenshot, page, "two-factor")

    # Log out, log back in: the second factor is asked for.
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{index_url}/")
    page.goto(f"{index_url}/account/login/")
    shoot(screenshot, page, "login")
    page.get_by_label("Username or email").fill("walter@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/account/2fa/authenticate/")
    page.locator("#id_code").fill("000000")
    page.get_by_role("button", name=re.compile("Sign In|Log in", re.I)).click()
    expect(page.get_by_text("Incorrect code")).to_be_visible()
    page.locator("#id_code").fill(totp_code(secret))
    page.get_by_role("button", name=re.compile("Sign In|Log in", re.I)).click()
    page.wait_for_url(lambda url: "/account/2fa/authenticate/" not in url)

    # A project of their own, then a token scoped to it.
    publish(user, "walters-pkg", "0.1.0", kinds=("wheel",))
    page.goto(f"{index_url}/manage/account/tokens/new/")
    reauthenticate_if_asked(page)
    page.wait_for_url("**/manage/account/tokens/new/")
    page.get_by_label("Token name").fill("upload walters-pkg")
    page.get_by_label("Scope").select_option(label="Project: walters-pkg")
    shoot(screenshot, page, "token-form")
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token").input_value().strip()
    assert token.startswith("pypi-")
    page.goto(f"{index_url}/manage/account/tokens/")
    assert page.get_by_role("cell", name="Project: walters-pkg").is_visible()
    shoot(screenshot, page, "tokens")

    # That token uploads with twine, to its project only.
    files = write_dists(tmp_path / "ok", "walters-pkg", "0.2.0")
    result = clients.twine_upload(f"{index_url}/legacy/", token, files)
    assert result.returncode == 0, result.stdout + result.stderr
    other = write_dists(tmp_path / "other", "someone-elses-pkg", "1.0.0", kinds=("wheel",))
    refused = clients.twine_upload(f"{index_url}/legacy/", token, other)
    assert refused.returncode != 0 and "403" in refused.stdout + refused.stderr

    page.goto(f"{index_url}/manage/account/tokens/")
    last_used = page.locator("tbody tr").first.locator("td").nth(3).inner_text()  # the "Last used" column
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", last_used), last_used
    page.goto(f"{index_url}/manage/account/security/")
    history = page.locator("table").inner_text()
    for label in ("Logged in", "Failed login", "Two-factor method added", "API token created", "Email verified"):
        assert label in history, history
    shoot(screenshot, page, "security")
    page.goto(f"{index_url}/user/walter/")
    assert page.get_by_role("link", name="walters-pkg").is_visible()
    shoot(screenshot, page, "profile")


def test_security_key_with_a_virtual_authenticator(
    orm_beside_playwright, transactional_db, index_url, page, screenshot, settings, password
):
    """WebAuthn: add a key (Chromium's virtual authenticator), then log in with it as the second factor."""
    from allauth.mfa.models import Authenticator

    from .factories import UserFactory

    # http://localhost is a secure context for the browser; fido2 needs to be told to accept it too.
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
    user = UserFactory(username="keyholder")
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )

    def log_in():
        page.goto(f"{index_url}/account/login/")
        page.get_by_label("Username or email").fill("keyholder")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/account/login/" not in url)

    log_in()
    page.goto(f"{index_url}/account/2fa/webauthn/add/")
    if "/account/reauthenticate/" in page.url:
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name=re.compile("Confirm", re.I)).click()
        page.wait_for_url(lambda url: "/account/reauthenticate/" not in url)
    page.get_by_label("Name").fill("my usb key")
    page.get_by_role("button", name="Add").click()
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    assert Authenticator.objects.filter(user=user, type="webauthn").count() == 1
    assert user.security_events.filter(tag="mfa_added", details__method="webauthn").exists()

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{index_url}/")
    log_in()
    page.wait_for_url("**/account/2fa/authenticate/")
    shoot(screenshot, page, "two-factor-login")
    page.reload()  # the phone screenshot's visit issued a new WebAuthn challenge for this session
    page.get_by_role("button", name="Use a security key").click()
    page.wait_for_url(lambda url: "/account/2fa/authenticate/" not in url)
    page.goto(f"{index_url}/manage/account/")
    assert page.get_by_role("heading", name="Account settings").is_visible()
