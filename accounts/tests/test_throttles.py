"""Throttles key on the real client behind the trusted proxies and on the account, not on the
text typed; reset mail goes to verified addresses only; failed upload credentials get 429."""

import base64

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.test import Client, RequestFactory

from accounts.models import User
from accounts.throttles import account_key
from core.clientip import client_ip, client_key

from .factories import UserFactory

pytestmark = pytest.mark.django_db

LIMITS = {"login_failed": "10/5m/ip,5/5m/key", "reset_password": "20/h/ip", "reset_password_account": "5/d/key"}


def test_client_ip_is_what_the_last_trusted_proxy_saw(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert client_ip(request) == "127.0.0.1"  # no proxy trusted: the header is the client's word
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.7"  # the first entry was forged by the client
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "6.6.6.6"
    settings.TRUSTED_PROXY_COUNT = 3  # fewer hops than proxies: not through the front, use the peer
    assert client_ip(request) == "127.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    garbage = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="not-an-address")
    assert client_ip(garbage) == "127.0.0.1"


def test_an_ipv6_client_is_counted_by_its_64(settings):
    def key(addr):
        return client_key(RequestFactory().get("/", REMOTE_ADDR=addr))

    assert key("2001:db8:1:2::1") == key("2001:db8:1:2:ffff::7") == "2001:db8:1:2::/64"
    assert key("2001:db8:1:3::1") != key("2001:db8:1:2::1")
    assert key("203.0.113.5") == "203.0.113.5"


def test_allauth_uses_the_same_client_address(settings):
    from allauth.account.adapter import get_adapter

    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert get_adapter(request).get_client_ip(request) == "203.0.113.9"


def test_failed_logins_are_counted_per_real_client(client, user, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/5m/ip"}
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(10):
        client.post(
            "/account/login/", {"login": f"nobody{_}", "password": "x" * 12}, HTTP_X_FORWARDED_FOR="203.0.113.1"
        )
    blocked = client.post(
        "/account/login/",
        {"login": "alice", "password": "correct-horse-battery-staple"},
        HTTP_X_FORWARDED_FOR="203.0.113.1",
    )
    assert "Too many failed login attempts" in blocked.content.decode()
    other = Client().post(
        "/account/login/",
        {"login": "alice", "password": "correct-horse-battery-staple"},
        HTTP_X_FORWARDED_FOR="203.0.113.2",
    )
    assert other.status_code == 302  # another client behind the same proxy is not blocked


def test_one_account_is_one_key_across_username_and_addresses(user):
    EmailAddress.objects.create(user=user, email="alice.second@example.com", verified=True)
    keys = {account_key(name) for name in ("alice", "ALICE", "alice@example.com", "Alice.Second@example.com")}
    assert keys == {f"user:{user.pk}"}
    assert account_key("nobody") != account_key("nobody2")


def test_failed_logins_are_counted_per_account_whatever_name_is_typed(client, user, settings):
    settings.ACCOUNT_RATE_LIMITS = LIMITS
    EmailAddress.objects.create(user=user, email="alice.second@example.com", verified=True)
    names = ["alice", "alice@example.com", "alice.second@example.com", "ALICE", "Alice@Example.com"]
    for i, name in enumerate(names):  # five guesses, each from another client, under five spellings
        Client().post("/account/login/", {"login": name, "password": "wrong-password-1"}, REMOTE_ADDR=f"10.0.0.{i}")
    blocked = Client().post(
        "/account/login/", {"login": "alice", "password": "correct-horse-battery-staple"}, REMOTE_ADDR="10.0.1.1"
    )
    assert "Too many failed login attempts" in blocked.content.decode()


def test_reset_mail_goes_only_to_verified_addresses(client, user, outbox, deliver):
    # An address written into the user row (as a moderator could) or added and never confirmed.
    user.email = "attacker@example.net"
    user.save()
    EmailAddress.objects.create(user=user, email="unconfirmed@example.net", verified=False)
    for address in ("attacker@example.net", "unconfirmed@example.net"):
        with deliver():
            response = client.post("/account/password/reset/", {"email": address})
        assert response.status_code == 200 and response.context["form"].errors
    assert outbox == []
    with deliver():
        assert client.post("/account/password/reset/", {"email": "alice@example.com"}).status_code == 302
    assert [m.to for m in outbox] == [["alice@example.com"]]


def test_password_resets_are_counted_per_account_not_per_site(client, user, outbox, deliver, settings):
    settings.ACCOUNT_RATE_LIMITS = LIMITS
    EmailAddress.objects.create(user=user, email="alice.second@example.com", verified=True)
    for address in ["alice@example.com", "alice.second@example.com"] * 3:
        with deliver():
            last = Client().post("/account/password/reset/", {"email": address})
    assert len(outbox) == 5 and "Too many password reset requests" in last.content.decode()
    UserFactory(username="bob")
    with deliver():
        assert client.post("/account/password/reset/", {"email": "bob@example.com"}).status_code == 302


def _auth(username, password):
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def _post(header, addr="127.0.0.1"):
    return Client().post("/legacy/", {":action": "file_upload"}, HTTP_AUTHORIZATION=header, REMOTE_ADDR=addr)


def test_bad_tokens_are_throttled_per_client_with_retry_after(user, settings):
    settings.UPLOAD_AUTH_FAILURES_PER_CLIENT = "5/m"
    statuses = [_post(_auth("__token__", f"pypi-{i:016x}_nope")).status_code for i in range(8)]
    assert statuses == [403] * 5 + [429] * 3
    refused = _post(_auth("__token__", "pypi-0_nope"))
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 60
    assert "Too many failed authentication attempts" in refused.reason_phrase
    assert _post(_auth("__token__", "pypi-0_nope"), addr="127.0.0.2").status_code == 403  # another client
    for i in range(6):  # IPv6: rotating addresses inside one /64 buys nothing
        last = _post(_auth("__token__", f"pypi-{i:016x}_nope"), addr=f"2001:db8::{i + 1}")
    assert last.status_code == 429


def test_guesses_at_one_token_id_are_throttled_from_any_client(user, token_for, settings):
    settings.UPLOAD_AUTH_FAILURES_PER_CREDENTIAL = "3/m"
    key_id = token_for(user).removeprefix("pypi-").partition("_")[0]
    statuses = [
        _post(_auth("__token__", f"pypi-{key_id}_guess{i}"), addr=f"127.0.0.{i + 2}").status_code for i in range(5)
    ]
    assert statuses == [403, 403, 403, 429, 429]


def test_password_uploads_are_throttled_and_refused_with_two_factor(user, password, settings):
    settings.UPLOAD_ALLOW_PASSWORD_AUTH = True
    settings.UPLOAD_AUTH_FAILURES_PER_CREDENTIAL = "3/m"
    spellings = ["alice", "alice@example.com", "ALICE"]
    assert [_post(_auth(name, "wrong"), addr=f"127.0.0.{i + 2}").status_code for i, name in enumerate(spellings)] == [
        403
    ] * 3
    assert _post(_auth("alice", password), addr="127.0.0.9").status_code == 429  # the account is throttled

    bob = UserFactory(username="bob")
    Authenticator.objects.create(user=bob, type=Authenticator.Type.TOTP, data={"secret": "x"})
    refused = _post(_auth("bob", "correct-horse-battery-staple"))
    assert refused.status_code == 403 and "two-factor authentication enabled" in refused.reason_phrase
    assert "API token" in refused.reason_phrase
    assert User.objects.get(username="bob").has_two_factor()
