"""Request and upload-refusal log lines: one JSON object each, with what an operator needs
and never a password, API token, session id or a secret from a URL."""

import io
import json
import logging

import pytest

from accounts.tests.support import link_in, path_of
from api.tests.upload_support import post, wheel
from core.logs import JsonFormatter, RequestIdFilter, TextFormatter


@pytest.fixture
def log_output():
    """Everything logged (the request logger and the rest), through the production formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    loggers = [logging.getLogger(), logging.getLogger("index")]
    for logger in loggers:
        logger.addHandler(handler)
    yield stream
    for logger in loggers:
        logger.removeHandler(handler)


def lines(stream, logger=None):
    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    return [e for e in entries if logger is None or e["logger"] == logger]


def test_one_json_line_per_request_with_the_request_id_echoed(client, db, log_output):
    response = client.get("/simple/")
    (entry,) = lines(log_output, "index.request")
    assert entry["request_id"] == response["X-Request-ID"]
    assert (entry["method"], entry["path"], entry["route"], entry["status"]) == ("GET", "/simple/", "simple_index", 200)
    assert entry["client"] == "127.0.0.1" and entry["duration_ms"] >= 0 and entry["level"] == "info"
    assert "user_id" not in entry  # anonymous


def test_the_logged_in_user_is_named(client, user, log_output):
    client.force_login(user)
    client.get("/manage/projects/")
    (entry,) = lines(log_output, "index.request")
    assert entry["user_id"] == user.pk and entry["status"] == 200


def test_refused_upload_line_has_code_and_field_and_the_request_id(ctx, log_output):
    filename, data = wheel()
    response = post(ctx.client, ctx.token, filename, data, sha256_digest="0" * 64)
    assert response.status_code == 400
    (refusal,) = lines(log_output, "index.upload")
    assert (refusal["code"], refusal["field"], refusal["status"]) == ("digest_mismatch", "sha256_digest", 400)
    (request_line,) = lines(log_output, "index.request")
    assert refusal["request_id"] == request_line["request_id"] == response["X-Request-ID"]
    assert request_line["token_id"] is not None and request_line["user_id"] == ctx.alice.pk


def test_no_password_token_session_id_or_url_secret_is_logged(ctx, password, log_output, outbox, deliver):
    client = ctx.client
    # A password login (and a failed one), then pages with the session cookie.
    assert client.post("/account/login/", {"login": "alice", "password": "wrong-" + password}).status_code == 200
    assert client.post("/account/login/", {"login": "alice", "password": password}).status_code == 302
    session_id = client.cookies["sessionid"].value
    assert client.get("/manage/account/").status_code == 200
    # An upload with an API token (refused, so the refusal is logged too).
    filename, data = wheel()
    post(client, ctx.token, filename, data, sha256_digest="0" * 64)
    # A password reset: the key is in the URL.
    client.logout()
    with deliver():
        client.post("/account/password/reset/", {"email": "alice@example.com"})
    reset_path = path_of(link_in(outbox[0], "/account/password/reset/key/"))
    client.get(reset_path, follow=True)
    reset_key = reset_path.rstrip("/").rsplit("-", 1)[-1]

    text = log_output.getvalue()
    assert len(lines(log_output, "index.request")) >= 6
    for secret in (password, ctx.token, ctx.token.removeprefix("pypi-"), session_id, reset_key):
        assert secret and secret not in text, secret
    reset_lines = [e for e in lines(log_output, "index.request") if "reset/key" in e["path"]]
    assert reset_lines and all("(?P<" in e["path"] for e in reset_lines[:1])


def test_request_id_and_client_from_the_trusted_proxies_only(client, db, settings, log_output):
    # No proxy trusted: the headers are the client's word.
    response = client.get("/simple/", HTTP_X_REQUEST_ID="from-anyone", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert response["X-Request-ID"] != "from-anyone"
    settings.TRUSTED_PROXY_COUNT = 1
    response = client.get("/simple/", HTTP_X_REQUEST_ID="from-the-proxy", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    assert response["X-Request-ID"] == "from-the-proxy"
    assert (
        client.get("/simple/", HTTP_X_REQUEST_ID="bad id\x7f", HTTP_X_FORWARDED_FOR="203.0.113.5")["X-Request-ID"]
        != "bad id\x7f"
    )
    # Straight to the app port (no X-Forwarded-For): not through the proxy.
    assert client.get("/simple/", HTTP_X_REQUEST_ID="direct")["X-Request-ID"] != "direct"
    clients = [e["client"] for e in lines(log_output, "index.request")]
    assert clients == ["127.0.0.1", "203.0.113.5", "203.0.113.5", "127.0.0.1"]


def test_text_format_for_make_run():
    record = logging.LogRecord("index.request", logging.INFO, __file__, 1, "GET %s %s", ("/simple/", 200), None)
    record.route, record.status, record.request_id = "simple_index", 200, "abc"
    line = TextFormatter().format(record)
    assert "index.request: GET /simple/ 200" in line and "route=simple_index" in line and "request_id=abc" in line
    assert not line.startswith("{")


@pytest.mark.parametrize(
    ("env", "json_lines"),
    [({"DEBUG": "1"}, False), ({"DEBUG": "0"}, True), ({"DEBUG": "1", "LOG_FORMAT": "json"}, True)],
)
def test_text_in_development_json_in_production(env, json_lines, tmp_path):
    import os
    import subprocess
    import sys

    from django.conf import settings

    script = (
        "import django, logging; django.setup(); "
        "logging.getLogger('index.request').info('GET / 200', extra={'route': 'home', 'status': 200})"
    )
    environment = {k: v for k, v in os.environ.items() if k not in ("LOG_FORMAT", "DEBUG")}
    environment.update(DJANGO_SETTINGS_MODULE="pypiapp.settings", PYPIAPP_VAR_DIR=str(tmp_path), **env)
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=settings.BASE_DIR,
        env=environment,
    )
    assert result.returncode == 0, result.stderr
    (line,) = result.stderr.strip().splitlines()
    if json_lines:
        assert json.loads(line)["route"] == "home"
    else:
        assert "index.request: GET / 200" in line and "route=home" in line
