"""Downloads: Django streams them in development, nginx or the object store serves them in production."""
import pytest

from packages import services
from packages.models import File, Project
from packages.storage import package_storage
from pypiapp.testing.publish import publish


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
