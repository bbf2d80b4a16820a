"""Deployment defaults: the documented production environment passes `check --deploy`; pages for
people carry a Content-Security-Policy that allows no inline code; feeds are plain text."""

import json
import os
import re
import secrets
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "pypi.example.org",
    "SITE_URL": "https://pypi.example.org",
    "TRUSTED_PROXY_COUNT": "1",
}


def _env(tmp_path, **env):
    base = {
        k: v
        for k, v in os.environ.items()
        # (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for this process; production never has it)
        if k
        not in {
            "DJANGO_SETTINGS_MODULE",
            "DATABASE_URL",
            "SECRET_KEY",
            "DEBUG",
            "SITE_URL",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    return {**base, "PYPIAPP_VAR_DIR": str(tmp_path), "SECRET_KEY": secrets.token_urlsafe(50), **env}


def test_check_deploy_is_clean_in_the_documented_production_environment(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_env(tmp_path, **PRODUCTION),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout, result.stdout + result.stderr


def test_https_site_url_turns_on_hsts_redirects_and_secure_cookies(tmp_path):
    code = (
        "import json, pypiapp.settings as s; print(json.dumps([s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER, s.ACCOUNT_DEFAULT_HTTP_PROTOCOL]))"
    )

    def run(**env):
        completed = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=_env(tmp_path, **env),
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(completed.stdout)

    hsts, redirect, session, csrf, proxy_header, protocol = run(**PRODUCTION)
    assert hsts >= 31536000 and redirect and session and csrf and protocol == "https"
    assert proxy_header == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert run(SITE_URL="http://127.0.0.1:8000") == [0, False, False, False, None, "http"]  # make run


@pytest.mark.parametrize(
    "path", ["/", "/help/", "/account/login/", "/account/signup/", "/search/?q=x", "/admin/login/"]
)
def test_pages_for_people_send_a_csp_without_unsafe_inline(client, db, path):
    policy = client.get(path)["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_logged_in_portal_and_admin_pages_send_the_csp(client, user, password):
    from django.test import Client

    from accounts.tests.factories import UserFactory
    from devtools.testing.staff import staff_login

    client.force_login(user)
    assert "script-src 'self'" in client.get("/manage/account/")["Content-Security-Policy"]
    staff = Client()
    staff_login(staff, UserFactory(username="root", is_staff=True, is_superuser=True), password)
    page = staff.get("/admin/accounts/user/")
    assert page.status_code == 200 and "script-src 'self'" in page["Content-Security-Policy"]


def test_machine_endpoints_need_no_csp(client, db):
    assert "Content-Security-Policy" not in client.get("/simple/")
    assert "Content-Security-Policy" not in client.get("/pypi/nope/json")


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<[^>]+\sstyle\s*=", re.I)


def test_no_template_has_inline_code_that_would_need_unsafe_inline():
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, INLINE_STYLE):
            offenders += [f"{template.relative_to(ROOT)}: {m.group(0)[:60]}" for m in pattern.finditer(text)]
    assert offenders == []


def test_feed_descriptions_are_plain_text(client, user):
    from devtools.publish import publish

    hostile = '<script>alert("feed")</script><img src=x onerror=alert(1)>'
    publish(user, "feed-pkg", "1.0", kinds=("wheel",), metadata={"summary": hostile})
    for path in ("/rss/updates.xml", "/rss/packages.xml", "/rss/project/feed-pkg/releases.xml"):
        body = client.get(path).content
        descriptions = [item.findtext("description") for item in ET.fromstring(body).iter("item")]
        # What a reader gets after XML parsing is the HTML it renders: escaped text, no markup.
        assert descriptions == [
            hostile.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
        ], path
