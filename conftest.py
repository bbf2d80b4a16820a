"""Fixtures shared by every app's tests."""

import os
import sys
from dataclasses import dataclass

import pytest
from django.core import mail

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory


def pytest_collection_modifyitems(items):
    # Tests that use the live server are end-to-end by nature: mark them so `-m "not e2e"` skips them.
    for item in items:
        if "live_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """SQLite tests use a file database so live-server threads get connections of their own."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        db.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from api.simple import index_store  # /simple/'s files, kept like a cache

    cache.clear()
    index_store.clear()
    yield
    cache.clear()
    index_store.clear()


@pytest.fixture(autouse=True)
def _fetches_ahead(request, settings):
    """Files fetched ahead (upstream/ahead.py) are written by a thread of their own, on its own
    database connection: only in tests whose writes commit (live-server tests), never past the
    rolled-back transaction of the others; and stored before the database and cache are reset."""
    marker = request.node.get_closest_marker("django_db")
    if "live_server" not in request.fixturenames and not (marker and marker.kwargs.get("transaction")):
        settings.UPSTREAM_FETCH_AHEAD_MAX_BYTES = 0
    yield
    ahead = sys.modules.get("upstream.ahead")
    if ahead is not None:
        assert ahead.wait_idle(), "a file fetched ahead was still being fetched"


@pytest.fixture
def own_package_storage(settings, tmp_path):
    """Package storage in a folder of this test's own (the session's storage keeps the bytes of
    every earlier test, whose rows were rolled back: orphans to a storage walk)."""
    location = tmp_path / "packages"
    location.mkdir()
    packages = {
        **settings.STORAGES["packages"],
        "OPTIONS": {**settings.STORAGES["packages"]["OPTIONS"], "location": str(location)},
    }
    settings.STORAGES = {**settings.STORAGES, "packages": packages}
    return location


@pytest.fixture
def password():
    return DEFAULT_PASSWORD


@pytest.fixture
def user(db):
    return UserFactory(username="alice")


@pytest.fixture
def other_user(db):
    return UserFactory(username="bob")


@pytest.fixture
def small_segments(monkeypatch):
    """/simple/'s store (api/simple/index_store.py) in runs of 2 names, so that a handful of
    projects spans several segments (the simple index and upstream listing tests)."""
    from api.simple import index_store

    monkeypatch.setattr(index_store, "SEGMENT_ROWS", 2)


@pytest.fixture
def staff(db):
    """The moderator ('mod', a superuser) of the account and project moderation tests."""
    return UserFactory(username="mod", is_staff=True, is_superuser=True)


def _staff_client(client, group_name, username):
    from devtools.testing.staff import staff_login
    from packages.tests.test_admin import staff_member

    staff_login(client, staff_member(group_name, username), DEFAULT_PASSWORD)
    return client


@pytest.fixture
def admin_client(client, db):
    """`client` logged in (with 2FA) as a staff member of the admins group."""
    from packages.staff_groups import ADMINS

    return _staff_client(client, ADMINS, "an-admin")


@pytest.fixture
def moderator_client(client, db):
    """`client` logged in (with 2FA) as a staff member of the moderators group."""
    from packages.staff_groups import MODERATORS

    return _staff_client(client, MODERATORS, "a-moderator")


@pytest.fixture
def evil_release(user):
    """alice's evil-pkg 1.0, which the moderation tests act on (the next upload tried is 2.0)."""
    from devtools.publish import publish

    return publish(user, "evil-pkg", "1.0")


@pytest.fixture
def token_for():
    """token_for(user, project=None) -> raw API token text."""
    from accounts.tokens import issue_token

    def make(user, project=None, name="test token"):
        return issue_token(user, name, project=project).raw

    return make


@pytest.fixture
def basic_auth():
    import base64

    def header(username, password):
        return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()

    return header


@pytest.fixture
def call_app(db):
    """Call pypiapp.wsgi.application as gunicorn does: call(method, path, body=b"", **headers)
    -> (status, headers, body)."""

    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from devtools.testing import wsgi
    from pypiapp.wsgi import application

    def call(method, path, body=b"", **headers):
        environ = wsgi.environ(method, path, body, **headers)
        started = []
        # As Django's test client does: the test's transaction must outlive the request.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            chunks = application(environ, lambda status, headers, exc_info=None: started.extend([status, headers]))
            try:
                content = b"".join(chunks)
            finally:
                chunks.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return int(started[0].split()[0]), dict(started[1]), content

    return call


@pytest.fixture
def index_url(live_server):
    """Base URL of the live test server (one server per test session), without a trailing slash."""
    return live_server.url


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never `playwright install`: it downloads)."""
    import os
    import shutil

    from playwright.sync_api import sync_playwright

    # Playwright's sync API leaves an event loop in this thread; the ORM calls tests make
    # alongside it are still plain synchronous calls.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh tab; the test fails if the Content-Security-Policy blocked anything on any page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    blocked = []
    page.on("console", lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None)
    yield page
    context.close()
    assert blocked == [], blocked


@pytest.fixture
def screenshot(browser):
    """screenshot(page, name): save desktop and phone-width (375 px) PNGs under var/screenshots/."""
    from pathlib import Path

    from django.conf import settings

    out = Path(settings.BASE_DIR) / "var" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        url = page.url
        page.screenshot(path=str(out / f"{name}-desktop.png"), full_page=True)
        phone = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True)
        try:
            phone.add_cookies(page.context.cookies())
            mobile_page = phone.new_page()
            mobile_page.goto(url)
            mobile_page.screenshot(path=str(out / f"{name}-phone.png"), full_page=True)
            # No horizontal scrolling at phone width.
            overflow = mobile_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        finally:
            phone.close()
        return overflow

    return take


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """moto's S3 server on a free loopback port, for the whole session (see devtools/testing/s3.py)."""
    from devtools.testing.s3 import S3Server

    server = S3Server(tmp_path_factory.mktemp("s3") / "moto.log")
    yield server
    server.stop()


@dataclass
class Ctx:
    """What the `ctx` fixture hands an upload test."""

    client: object
    alice: object
    token: str
    bob: object
    bob_token: str
    existing: object  # the Project existing-pkg


@pytest.fixture
def ctx(db, client, token_for):
    """For the upload tests (builders in api/tests/upload_support.py): alice owns existing-pkg (release 1.0 with a wheel and an sdist); bob owns bobs-pkg."""
    from api.tests.upload_support import EXISTING
    from devtools.publish import publish
    from packages.models import Project

    alice = UserFactory(username="alice")
    bob = UserFactory(username="bob")
    publish(alice, EXISTING, "1.0")
    publish(bob, "bobs-pkg", "1.0", kinds=("wheel",))
    return Ctx(client, alice, token_for(alice), bob, token_for(bob), Project.objects.get(normalized_name=EXISTING))


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    """`with deliver(): client.post(...)` runs the on-commit hooks (the mail actor) as a real commit would."""

    def ctx():
        return django_capture_on_commit_callbacks(execute=True)

    return ctx


@pytest.fixture
def outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox


@pytest.fixture
def orm_beside_playwright():
    """Playwright's sync API runs an event loop in this thread, so Django must be told that the ORM
    calls here, and in pytest-django's database teardown, are ordinary synchronous code. Not undone:
    that teardown runs after every fixture of this module has finished (live_server sets it up first)."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
