"""One end-to-end run over each storage: local disk (Django streams files) and a real
S3-compatible server (moto on loopback) through django-storages and the documented S3_*
variables, with FILE_DELIVERY=redirect sending pip and uv to presigned (private bucket) or
plain (public bucket) URLs. twine uploads, pip and uv install, deletions remove the stored
objects, quarantine blocks downloads, verify_files finds what is missing or corrupt and, walking
the local folder or the bucket, the objects no file row refers to (and removes them)."""

import time
import urllib.error
import urllib.request

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from accounts.tests.factories import UserFactory
from accounts.tokens import issue_token
from devtools.dists import write_dists
from devtools.testing import clients
from packages import moderation
from packages.models import File, Project
from packages.storage import package_storage
from pypiapp.settings import s3_storage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _get(url, follow=True):
    opener = urllib.request.build_opener() if follow else urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(url, timeout=20) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), b""


@pytest.fixture(params=["local", "s3-private", "s3-public"])
def storage_layout(request, settings, tmp_path):
    """Point the "packages" storage (and FILE_DELIVERY) of the live server at one layout.
    Returns (name, list_stored_keys)."""
    kind = request.param
    if kind == "local":
        root = tmp_path / "packages"
        settings.STORAGES = {
            **settings.STORAGES,
            "packages": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(root), "base_url": "/packages/"},
            },
        }
        settings.FILE_DELIVERY = "django"
        return kind, lambda: sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    s3 = request.getfixturevalue("s3_server")
    public = kind == "s3-public"
    bucket = s3.create_bucket(f"{kind}-{time.monotonic_ns()}", public=public)
    env = s3.env(bucket, **({"S3_PUBLIC_BUCKET": "1"} if public else {}))
    settings.STORAGES = {**settings.STORAGES, "packages": s3_storage(env)}
    settings.FILE_DELIVERY = "redirect"
    return kind, lambda: s3.keys(bucket)


def _verify_files(*args):
    out = __import__("io").StringIO()
    try:
        call_command("verify_files", *args, verbosity=0, stdout=out)
        return True, out.getvalue()
    except CommandError:
        return False, out.getvalue()


def test_upload_install_delete_quarantine_verify(storage_layout, index_url, tmp_path):
    kind, stored_keys = storage_layout
    maintainer = UserFactory(username="storeuser")
    staff = UserFactory(username="storestaff", is_staff=True)
    token = issue_token(maintainer, "upload").raw
    dists = write_dists(tmp_path / "v1", "store-pkg", "1.0") + write_dists(tmp_path / "v2", "store-pkg", "2.0")
    uploaded = clients.twine_upload(f"{index_url}/legacy/", token, dists)
    assert uploaded.returncode == 0, uploaded.stdout + uploaded.stderr

    files = {f.filename: f for f in File.objects.filter(release__project__normalized_name="store-pkg")}
    expected = sorted([f.path for f in files.values()] + [f.metadata_path for f in files.values() if f.has_metadata])
    assert len(expected) == 6  # 2 wheels, their 2 PEP 658 metadata files, 2 sdists
    assert stored_keys() == expected

    wheel = files["store_pkg-2.0-py3-none-any.whl"]
    status, headers, body = _get(f"{index_url}/packages/{wheel.path}", follow=False)
    if kind == "local":
        assert status == 200 and len(body) == wheel.size
    else:
        assert status == 302 and headers["Cache-Control"] == "no-store"
        signed = "X-Amz-Signature=" in headers["Location"]
        assert signed == (kind == "s3-private")
        assert _get(headers["Location"])[0] == 200

    simple = f"{index_url}/simple/"
    pip_target, uv_target = tmp_path / "pip", tmp_path / "uv"
    installed = clients.pip_install(simple, ["store-pkg"], pip_target)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert clients.import_version(pip_target, "store_pkg") == "2.0"
    installed = clients.uv_install(simple, ["store-pkg==1.0"], uv_target)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert clients.import_version(uv_target, "store_pkg") == "1.0"
    assert _verify_files()[0]

    # Deleting a file removes its object and its metadata file's.
    moderation.remove_file(wheel, staff, "bad build")
    assert stored_keys() == sorted(set(expected) - {wheel.path, wheel.metadata_path})
    assert _get(f"{index_url}/packages/{wheel.path}", follow=False)[0] == 404

    # Quarantine: no more downloads (nor redirects to the store) and pip cannot install.
    project = Project.objects.get(normalized_name="store-pkg")
    sdist = files["store_pkg-1.0.tar.gz"]
    moderation.quarantine_project(project, staff, "malware report")
    assert _get(f"{index_url}/packages/{sdist.path}", follow=False)[0] == 404
    refused = clients.pip_install(simple, ["store-pkg"], tmp_path / "pip-q")
    assert refused.returncode != 0
    moderation.release_from_quarantine(project, staff, "false alarm")
    assert _get(f"{index_url}/packages/{sdist.path}")[0] == 200

    # verify_files reads every stored object back: a changed one is corrupt, a lost one missing.
    storage = package_storage()
    storage.delete(sdist.path)
    storage.save(sdist.path, ContentFile(b"not the sdist"))
    other = files["store_pkg-1.0-py3-none-any.whl"]
    storage.delete(other.metadata_path)
    clean, report = _verify_files()
    assert not clean
    assert f"CORRUPT  {sdist.path}" in report and f"MISSING  {other.metadata_path}" in report

    # The walk of the store (local folder or bucket) finds an object no file row refers to, and
    # --remove-orphans deletes it there.
    orphan = "ab/cd/" + "e" * 60 + "/nobody-1.0-py3-none-any.whl"
    storage.save(orphan, ContentFile(b"left behind by a crashed upload"))
    assert orphan in stored_keys()
    clean, report = _verify_files()
    assert not clean and f"ORPHAN   {orphan}" in report
    _verify_files("--remove-orphans", "--grace-seconds", "0")
    assert orphan not in stored_keys()

    # Removing the project removes every object it still had.
    moderation.remove_project(Project.objects.get(pk=project.pk), staff, "done")
    assert stored_keys() == []
