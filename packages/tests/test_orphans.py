"""Stored objects with no row: found by verify_files' storage walk, removed after the grace period;
an existing object at a final key is reused only with the right bytes; stale upload temp files go."""

import hashlib
import io
import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError

from devtools.dists import wheel_bytes
from devtools.publish import publish
from packages import orphans
from packages.models import File
from packages.storage import file_path, package_storage

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return out.getvalue(), str(exc)
    return out.getvalue(), None


def test_verify_files_walks_storage_and_removes_only_old_orphans(user, own_package_storage):
    release = publish(user, "kept-pkg", "1.0")
    storage = package_storage()
    orphan = "aa/bb/" + "c" * 60 + "/gone_pkg-1.0-py3-none-any.whl"
    storage.save(orphan, ContentFile(b"bytes whose upload never committed"))
    storage.save(orphan + ".metadata", ContentFile(b"Metadata-Version: 2.1\n"))
    wheel = release.files.get(packagetype="bdist_wheel")
    stray_metadata = release.files.get(packagetype="sdist").path + ".metadata"  # sdists have none
    storage.save(stray_metadata, ContentFile(b"x"))

    out, error = run("verify_files")
    assert error == "0 missing and 0 corrupt stored files, 3 orphaned objects left."
    assert f"ORPHAN   {orphan} (no file row" in out and f"ORPHAN   {stray_metadata} " in out
    assert wheel.path not in out and wheel.metadata_path not in out

    out, error = run("verify_files", "--remove-orphans")  # all younger than an hour: kept
    assert "kept: younger than the grace period" in out and error is not None
    assert storage.exists(orphan)

    out, error = run("verify_files", "--remove-orphans", "--grace-seconds", "0")
    assert error is None and "3 orphaned objects in storage, 3 removed" in out
    assert not storage.exists(orphan) and not storage.exists(orphan + ".metadata")
    assert not storage.exists(stray_metadata)
    assert storage.exists(wheel.path) and storage.exists(wheel.metadata_path)
    stored = sorted(orphans.walk(storage))
    rows = sorted(
        [f.path for f in File.objects.all()] + [f.metadata_path for f in File.objects.all() if f.has_metadata]
    )
    assert stored == rows
    assert run("verify_files")[1] is None


def test_an_object_left_at_the_final_key_is_reused_only_with_the_right_bytes(user, own_package_storage):
    filename, data = wheel_bytes("adopted", "1.0")
    path = file_path(hashlib.blake2b(data, digest_size=32).hexdigest(), filename)
    storage = package_storage()
    storage.save(path, ContentFile(b"an orphan with other bytes"))  # e.g. a partial write
    publish(user, "adopted", "1.0", kinds=("wheel",))
    with storage.open(path, "rb") as handle:
        assert handle.read() == data
    assert run("verify_files")[1] is None


def test_an_empty_new_storage_has_no_orphans(settings, tmp_path):
    packages = {
        **settings.STORAGES["packages"],
        "OPTIONS": {**settings.STORAGES["packages"]["OPTIONS"], "location": str(tmp_path / "not-created-yet")},
    }
    settings.STORAGES = {**settings.STORAGES, "packages": packages}
    out, error = run("verify_files")
    assert error is None and "0 orphaned objects" in out


def test_stale_upload_temp_files_are_swept(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    old, young, other = tmp_path / "tmpab12.upload.whl", tmp_path / "tmpcd34.upload.gz", tmp_path / "notes.txt"
    for path in (old, young, other):
        path.write_bytes(b"partial")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    os.utime(other, (two_hours_ago, two_hours_ago))
    assert orphans.sweep_upload_temp_files() == [str(old)]
    assert not old.exists() and young.exists() and other.exists()


def test_storage_sweep_job(settings, user, own_package_storage, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.ORPHAN_GRACE_SECONDS = 0
    package_storage().save("ab/cd/" + "e" * 60 + "/x-1.0.tar.gz", ContentFile(b"x"))
    out = io.StringIO()
    call_command("run_periodic", "storage-sweep", stdout=out)
    assert "storage-sweep: 1 orphaned objects removed" in out.getvalue()
    assert list(orphans.walk(package_storage())) == []


@pytest.mark.parametrize("layout", ["local", "s3"])
def test_the_orphan_walk_works_on_local_disk_and_s3(layout, request, settings, user, tmp_path):
    """The walk, the ages and the removal use only the Storage API: the same on an S3 bucket
    (a real moto server through django-storages) as on disk."""
    if layout == "s3":
        import time as clock

        from pypiapp.settings import s3_storage

        s3 = request.getfixturevalue("s3_server")
        bucket = s3.create_bucket(f"orphans-{clock.monotonic_ns()}")
        settings.STORAGES = {**settings.STORAGES, "packages": s3_storage(s3.env(bucket))}
    else:
        request.getfixturevalue("own_package_storage")
    release = publish(user, "walked", "1.0", kinds=("wheel",))
    wheel = release.files.get()
    storage = package_storage()
    orphan = "dd/ee/" + "f" * 60 + "/nobody-1.0.tar.gz"
    storage.save(orphan, ContentFile(b"no row"))
    found = list(orphans.find_orphans())
    assert [path for path, _ in found] == [orphan] and 0 <= found[0][1] < 600
    assert orphans.remove_orphans(found) == ([], [orphan])  # younger than the grace period
    assert orphans.remove_orphans(found, grace_seconds=0) == ([orphan], [])
    assert sorted(orphans.walk(storage)) == sorted([wheel.path, wheel.metadata_path])


def test_site_media_sharing_the_bucket_is_never_an_orphan(user, own_package_storage, settings):
    """On S3 sponsor logos live under SITE_MEDIA_PREFIX in the packages' bucket: not package files."""
    storage = package_storage()
    logo = f"{settings.SITE_MEDIA_PREFIX}/sponsors/{'a' * 64}.png"
    storage.save(logo, ContentFile(b"a logo"))
    assert logo not in [path for path, _ in orphans.find_orphans(storage)]
    run("verify_files", "--remove-orphans", "--grace-seconds", "0")
    assert storage.exists(logo)
