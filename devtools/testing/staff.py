"""Staff sign-in for tests, the real way: a TOTP authenticator, allauth's login, then the code."""

from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)


def totp_code(secret, offset=0):
    """The current TOTP code for a base32 secret, as an authenticator app computes it."""
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter + offset))


def add_totp(user):
    """Give `user` an authenticator app; returns its secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def login_with_totp(client, username, password, secret):
    """Log `client` in through allauth's form and its second step; returns the last response."""
    first = client.post("/account/login/", {"login": username, "password": password})
    assert first.status_code == 302 and first["Location"].startswith("/account/2fa/authenticate/"), first
    second = client.post("/account/2fa/authenticate/", {"code": totp_code(secret)})
    assert second.status_code == 302, second.content.decode()[:1000]
    return second


def staff_login(client, user, password):
    """A staff member with 2FA, logged in with it (what the admin asks for)."""
    return login_with_totp(client, user.username, password, add_totp(user))


def browser_admin_login(page, index_url, username, password, secret):
    """Log a Playwright `page` into /admin/ as staff do: the site's login, then the TOTP code."""
    import re

    page.goto(f"{index_url}/admin/")
    page.wait_for_url("**/account/login/?next=%2Fadmin%2F")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/account/2fa/authenticate/")
    page.locator("#id_code").fill(totp_code(secret))
    page.get_by_role("button", name=re.compile("Sign In|Log in", re.I)).click()
    page.wait_for_url(f"{index_url}/admin/")
