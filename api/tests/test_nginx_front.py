"""deploy/nginx.conf in front of the live server: files and pages come from nginx's caches,
and a quarantine, a yank or an upload shows on the very next request through it."""

import urllib.error
import urllib.request

import pytest
from django.conf import settings as django_settings

from accounts.tests.factories import UserFactory
from devtools.publish import publish
from packages import moderation, services
from packages.models import File, Project, Release

pytestmark = pytest.mark.e2e


def _get(url, accept="text/html"):
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


@pytest.fixture
def published(transactional_db):
    owner = UserFactory(username="front-owner")
    publish(owner, "front-pkg", "1.0")
    return owner


def test_files_come_from_nginx_until_a_quarantine_and_back_after_it(front, published):
    wheel = File.objects.get(filename="front_pkg-1.0-py3-none-any.whl")
    stored = (django_settings.PACKAGE_FILES_ROOT / wheel.path).read_bytes()
    status, headers, body = _get(front + wheel.url_path)
    assert (status, headers["X-Cache"], body) == (200, "MISS", stored)
    status, headers, body = _get(front + wheel.url_path)
    assert (status, headers["X-Cache"], body) == (200, "HIT", stored)  # Django was not asked
    assert headers["Content-Disposition"] == f'attachment; filename="{wheel.filename}"'
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    status, headers, body = _get(front + wheel.url_path + ".metadata")
    assert status == 200 and headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "Content-Disposition" not in headers
    assert b"Name: front-pkg" in body
    status, _, body = _get(front + wheel.url_path.replace(wheel.filename, "front_pkg-9.0.tar.gz"))
    assert (status, body) == (404, b"No such file.\n")

    staff = UserFactory(username="front-staff", is_staff=True, is_superuser=True)
    project = Project.objects.get(normalized_name="front-pkg")
    moderation.quarantine_project(project, staff, "malware")
    assert _get(front + wheel.url_path)[0] == 404
    assert _get(front + wheel.url_path + ".metadata")[0] == 404
    assert _get(front + "/simple/front-pkg/")[0] == 404

    moderation.release_from_quarantine(Project.objects.get(pk=project.pk), staff, "false positive")
    status, headers, body = _get(front + wheel.url_path)
    assert (status, headers["X-Cache"], body) == (200, "MISS", stored)


def test_pages_come_from_nginx_and_change_on_the_next_request(front, published):
    page = front + "/simple/front-pkg/"
    assert _get(page)[0] == 200
    status, headers, body = _get(page)
    assert (status, headers["X-Cache"]) == (200, "HIT")
    assert b"data-yanked" not in body

    services.yank_release(Release.objects.get(version="1.0"), "broken", published)
    status, headers, body = _get(page)
    assert headers["X-Cache"] == "MISS" and b'data-yanked="broken"' in body

    publish(published, "front-pkg", "2.0", kinds=("wheel",))
    status, _, body = _get(page, accept="application/vnd.pypi.simple.v1+json")
    assert status == 200 and b'"2.0"' in body
    new_wheel = File.objects.get(filename="front_pkg-2.0-py3-none-any.whl")
    assert _get(front + new_wheel.url_path)[0] == 200  # a new file is served at once


def test_a_cached_pep691_page_changes_on_the_next_request(front, published):
    """pip's and uv's requests (JSON, gzip) are cached and purged like the HTML ones."""
    page = front + "/simple/front-pkg/"
    pip_headers = {
        "Accept": "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01",
        "Accept-Encoding": "gzip, deflate",
    }

    def get():
        import gzip
        import json

        with urllib.request.urlopen(urllib.request.Request(page, headers=pip_headers), timeout=10) as response:
            return response.headers["X-Cache"], json.loads(gzip.decompress(response.read()))

    get()
    cached, document = get()
    assert cached == "HIT" and not any(f.get("yanked") for f in document["files"])
    services.yank_release(Release.objects.get(version="1.0"), "broken", published)
    cached, document = get()
    assert cached == "MISS" and {f.get("yanked") for f in document["files"]} == {"broken"}
