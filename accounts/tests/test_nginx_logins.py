"""Bad logins through the real deploy/nginx.conf, from several client addresses: each client is
throttled on its own (TRUSTED_PROXY_COUNT=1), not every client behind the proxy at once."""

import http.client
import re
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import pytest

from accounts.models import SecurityEvent
from devtools.testing.nginx import running_front

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


class Browser:
    """A client on its own loopback address (127.0.0.N) that keeps cookies, like a browser."""

    def __init__(self, base, source):
        self.host, self.port = urlsplit(base).hostname, urlsplit(base).port
        self.source = source
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=15, source_address=(self.source, 0))
        headers = {**(headers or {}), "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode()
            for value in response.headers.get_all("Set-Cookie") or []:
                self.cookies.update({k: m.value for k, m in SimpleCookie(value).items()})
            return response.status, text
        finally:
            conn.close()

    def log_in(self, login, password, **headers):
        _, page = self.request("GET", "/account/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urlencode({"csrfmiddlewaretoken": token, "login": login, "password": password})
        return self.request(
            "POST", "/account/login/", body, {"Referer": f"http://{self.host}:{self.port}/account/login/", **headers}
        )


@pytest.fixture
def front(live_server, settings, tmp_path):
    settings.TRUSTED_PROXY_COUNT = 1  # nginx, which appends the address it saw to X-Forwarded-For
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/5m/ip,5/5m/key"}
    with running_front(live_server.url, tmp_path) as url:
        yield url


def test_bad_logins_through_nginx_are_throttled_per_client(front, user, password):
    attacker = Browser(front, "127.0.0.2")
    for i in range(3):
        status, page = attacker.log_in(f"guess{i}", "wrong-password-1")
        assert status == 200 and "are not correct" in page
    status, page = attacker.log_in("guess9", "wrong-password-1")
    assert "Too many failed login attempts" in page
    # Claiming to be someone else in X-Forwarded-For does not help: nginx appends the real address.
    status, page = attacker.log_in("guess10", "wrong-password-1", **{"X-Forwarded-For": "198.51.100.7"})
    assert "Too many failed login attempts" in page

    # Other people behind the same nginx are not blocked, and one more guesser gets its own allowance.
    assert Browser(front, "127.0.0.3").log_in("alice", password)[0] == 302
    assert "are not correct" in Browser(front, "127.0.0.4").log_in("guess11", "wrong-password-1")[1]
    login = SecurityEvent.objects.get(user=user, tag=SecurityEvent.Tag.LOGIN)
    assert login.ip_address == "127.0.0.3"  # the security history names the real client too
