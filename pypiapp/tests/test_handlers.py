"""The WSGI application gives installers' GET/HEAD requests the short middleware chain and
every other request the full one, with the same answers either way."""

import pytest

from devtools.publish import publish
from packages.models import File


@pytest.fixture
def wheel(user):
    publish(user, "lean-pkg", "1.0")
    return File.objects.get(filename="lean_pkg-1.0-py3-none-any.whl")


def test_installer_requests_get_the_same_answers_through_the_short_chain(call_app, client, wheel, settings):
    settings.FILE_DELIVERY = "django"
    for path in ("/simple/", "/simple/lean-pkg/", wheel.url_path, wheel.url_path + ".metadata"):
        status, headers, body = call_app("GET", path)
        expected = client.get(path)
        expected_body = b"".join(expected.streaming_content) if expected.streaming else expected.content
        assert (status, body) == (200, expected_body), path
        assert headers["X-Content-Type-Options"] == "nosniff"  # security middleware still runs
        assert "Set-Cookie" not in headers and "Cookie" not in headers.get("Vary", "")
    assert call_app("HEAD", "/simple/lean-pkg/")[0] == 200


def test_redirects_and_not_found_still_work_on_the_short_chain(call_app, wheel):
    status, headers, _ = call_app("GET", "/simple/Lean_Pkg/")
    assert (status, headers["Location"]) == (301, "/simple/lean-pkg/")
    status, headers, _ = call_app("GET", "/simple/lean-pkg")  # CommonMiddleware's APPEND_SLASH
    assert (status, headers["Location"]) == (301, "/simple/lean-pkg/")
    assert call_app("GET", "/simple/no-such-pkg/")[0] == 404
    assert call_app("GET", "/packages/00/00/" + "0" * 60 + "/x-1.0.tar.gz")[0] == 404


def test_other_methods_and_paths_take_the_full_chain(call_app, wheel):
    # A POST takes the full chain: under /simple/ it is the read-only views' 405 (an upload sent
    # to the index URL), and on a page CSRF refuses it.
    assert call_app("POST", "/simple/lean-pkg/")[0] == 405
    assert call_app("POST", "/account/login/")[0] == 403
    status, headers, _ = call_app("GET", "/account/login/")
    assert status == 200 and "csrftoken" in headers.get("Set-Cookie", "")


def test_installer_requests_skip_the_middleware_of_peoples_pages(call_app, wheel, monkeypatch):
    from django.contrib.sessions.middleware import SessionMiddleware

    seen = []
    original = SessionMiddleware.process_request

    def spy(self, request):
        seen.append(request.path)
        return original(self, request)

    monkeypatch.setattr(SessionMiddleware, "process_request", spy)
    for path in ("/simple/lean-pkg/", wheel.url_path, "/account/login/", "/project/lean-pkg/"):
        assert call_app("GET", path)[0] == 200, path
    assert seen == ["/account/login/", "/project/lean-pkg/"]


class _SeeWhatAnotherThreadSees:
    """An installer-chain middleware that, while the chain is being built, asks another thread
    (a request being served meanwhile, say) which MIDDLEWARE the settings name."""

    seen = []

    def __init__(self, get_response):
        import threading

        from django.conf import settings

        self.get_response = get_response
        thread = threading.Thread(target=lambda: self.seen.append(list(settings.MIDDLEWARE)))
        thread.start()
        thread.join()

    def __call__(self, request):
        return self.get_response(request)


def test_building_the_short_chain_never_changes_the_settings(settings):
    from pypiapp.handlers import Application

    full = list(settings.MIDDLEWARE)
    settings.INSTALLER_MIDDLEWARE = [*settings.INSTALLER_MIDDLEWARE, f"{__name__}._SeeWhatAnotherThreadSees"]
    _SeeWhatAnotherThreadSees.seen = []
    app = Application()
    assert _SeeWhatAnotherThreadSees.seen == [full]  # not the installer list, even for a moment
    assert list(settings.MIDDLEWARE) == full
    assert app.installer._middleware_chain is not None
