"""Downloads: Django streams them in development, nginx or the object store serves them in production."""

import pytest

from devtools.publish import publish
from packages import services
from packages.models import File, Project
from packages.storage import package_storage


@pytest.fixture
def wheel(user):
    publish(user, "dl-pkg", "1.0")
    return File.objects.get(filename="dl_pkg-1.0-py3-none-any.whl")


def _stored(path):
    with package_storage().open(path, "rb") as handle:
        return handle.read()


def test_django_serves_the_stored_bytes(client, wheel, settings):
    settings.FILE_DELIVERY = "django"
    response = client.get(wheel.url_path)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == _stored(wheel.path)
    assert response["Content-Length"] == str(wheel.size)
    assert response["Content-Disposition"] == f'attachment; filename="{wheel.filename}"'
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"


def test_metadata_file_is_served_as_text(client, wheel, settings):
    settings.FILE_DELIVERY = "django"
    response = client.get(wheel.url_path + ".metadata")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert b"".join(response.streaming_content) == _stored(wheel.metadata_path)
    assert b"Name: dl-pkg" in _stored(wheel.metadata_path)


def test_x_accel_redirect_hands_the_file_to_nginx(client, wheel, settings):
    settings.FILE_DELIVERY = "x-accel-redirect"
    settings.FILE_DELIVERY_ACCEL_PREFIX = "/_protected/packages/"
    response = client.get(wheel.url_path)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_protected/packages/{wheel.path}"
    assert response.content == b""
    assert response["Content-Disposition"] == f'attachment; filename="{wheel.filename}"'


def test_redirect_mode_sends_clients_to_the_storage_url(client, wheel, settings):
    settings.FILE_DELIVERY = "redirect"
    response = client.get(wheel.url_path)
    assert response.status_code == 302
    assert response["Location"] == package_storage().url(wheel.path)


@pytest.mark.parametrize("mode", ["django", "x-accel-redirect", "redirect"])
def test_quarantined_and_unknown_files_are_not_found_in_every_mode(client, wheel, user, settings, mode):
    settings.FILE_DELIVERY = mode
    sdist = File.objects.get(filename="dl_pkg-1.0.tar.gz")
    assert client.get(sdist.url_path + ".metadata").status_code == 404  # sdists have no PEP 658 file
    assert client.get(wheel.url_path.replace(wheel.filename, "other-1.0.tar.gz")).status_code == 404
    services.set_status(Project.objects.get(normalized_name="dl-pkg"), Project.Status.QUARANTINED, user)
    assert client.get(wheel.url_path).status_code == 404


def test_downloads_are_sent_as_stored_even_to_clients_accepting_gzip(client, wheel, settings):
    settings.FILE_DELIVERY = "django"
    for path, stored in ((wheel.url_path, wheel.path), (wheel.url_path + ".metadata", wheel.metadata_path)):
        response = client.get(path, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        assert response.status_code == 200
        assert not response.has_header("Content-Encoding"), path
        body = b"".join(response.streaming_content)
        assert body == _stored(stored) and response["Content-Length"] == str(len(body))


def test_web_pages_are_still_gzipped(client, wheel):
    response = client.get("/project/dl-pkg/", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"


# --- A front cache that keeps Django's answers (deploy/nginx.conf) ---------------------------


def test_the_x_accel_answer_says_how_long_a_front_cache_may_keep_it(client, wheel, settings):
    settings.FILE_DELIVERY = "x-accel-redirect"
    settings.EDGE_CACHE_SECONDS = 0
    assert not client.get(wheel.url_path).has_header("X-Accel-Expires")
    settings.EDGE_CACHE_SECONDS = 600
    assert client.get(wheel.url_path)["X-Accel-Expires"] == "600"
    assert client.get(wheel.url_path + ".metadata")["X-Accel-Expires"] == "600"


def _purged_files(seen):
    return {path for path, _ in seen if path.startswith("/packages/")}


def test_quarantine_purges_the_projects_file_urls_once_it_commits(
    wheel, user, settings, purge_server, django_capture_on_commit_callbacks
):
    url, seen = purge_server
    settings.EDGE_PURGE_URLS = [url]
    sdist = File.objects.get(filename="dl_pkg-1.0.tar.gz")
    project = Project.objects.get(normalized_name="dl-pkg")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.set_status(project, Project.Status.QUARANTINED, user, "malware")
    assert seen == []  # nothing is purged before the change commits
    for callback in callbacks:
        callback()
    assert _purged_files(seen) == {wheel.url_path, wheel.url_path + ".metadata", sdist.url_path}
    # Releasing it purges pages only: the front cache asks Django about files it doesn't hold.
    seen.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.set_status(project, Project.Status.ACTIVE, user)
    assert seen and not _purged_files(seen)


@pytest.mark.parametrize("what", ["file", "release", "project"])
def test_deleted_files_are_purged_from_the_front_cache(
    wheel, user, settings, purge_server, django_capture_on_commit_callbacks, what
):
    url, seen = purge_server
    settings.EDGE_PURGE_URLS = [url]
    sdist = File.objects.get(filename="dl_pkg-1.0.tar.gz")
    with django_capture_on_commit_callbacks(execute=True):
        if what == "file":
            services.delete_file(wheel, user)
        elif what == "release":
            services.delete_release(wheel.release, user)
        else:
            services.delete_project(wheel.release.project, user)
    expected = {wheel.url_path, wheel.url_path + ".metadata"}
    if what != "file":
        expected.add(sdist.url_path)
    assert _purged_files(seen) == expected


def test_uploads_and_yanks_purge_no_file_urls(wheel, user, settings, purge_server, django_capture_on_commit_callbacks):
    url, seen = purge_server
    settings.EDGE_PURGE_URLS = [url]
    with django_capture_on_commit_callbacks(execute=True):
        publish(user, "dl-pkg", "2.0")
        services.yank_release(wheel.release, "broken", user)
    assert seen and not _purged_files(seen)
