"""Fixtures shared by every app's tests."""
import pytest

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

    cache.clear()
    yield
    cache.clear()


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
