"""The runbook's backup and restore (deploy/README.md "Backups"), tried for real: pg_dump of
the database and a copy of the object store (an S3 bucket on moto's server, or the local
files directory), then both wiped, restored, and `verify_files` finds every file intact."""

import shutil
import subprocess
from pathlib import Path

import pytest

from devtools.testing import nodes

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]


def _count_files(env):
    out = nodes.manage(env, "shell", "-c", "from packages.models import File; print(File.objects.count())")
    return int(out.split()[-1])


def _copy_bucket(s3, bucket, target):
    """What `aws s3 sync s3://<bucket> <dir>` does, with boto3 (awscli isn't installed here)."""
    client = s3.client()
    for key in s3.keys(bucket):
        path = Path(target) / key
        path.parent.mkdir(parents=True, exist_ok=True)
        client.download_file(bucket, key, str(path))


def _upload_dir(s3, source, bucket):
    client = s3.client()
    for path in Path(source).rglob("*"):
        if path.is_file():
            client.upload_file(str(path), bucket, str(path.relative_to(source)))


@pytest.mark.parametrize("store", ["s3", "local"])
def test_backup_wipe_restore_then_verify_files_is_clean(store, tmp_path, request):
    db = nodes.Database("backup")
    try:
        if store == "s3":
            s3 = request.getfixturevalue("s3_server")
            bucket = s3.create_bucket(f"backup-{db.name.replace('_', '-')}")
            storage_env = s3.env(bucket)
        else:
            files_root = tmp_path / "packages"
            storage_env = {"PACKAGE_FILES_ROOT": files_root}
        env = nodes.app_env(
            DATABASE_URL=db.url, SECRET_KEY="backup-test-" + "k" * 50, PYPIAPP_VAR_DIR=tmp_path, **storage_env
        )
        nodes.manage(env, "migrate", "--noinput")
        nodes.manage(env, "seed_dev_data")
        files = _count_files(env)
        assert files > 10
        nodes.manage(env, "verify_files")

        # Back up: the database first, then the files (files are immutable and content-addressed,
        # so a copy taken after the dump holds every file the dump knows).
        dump = tmp_path / "pypi.dump"
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", db.url], check=True)
        backup = tmp_path / "files-backup"
        if store == "s3":
            _copy_bucket(s3, bucket, backup)
        else:
            shutil.copytree(files_root, backup)

        # Wipe both.
        db.stop()
        if store == "s3":
            client = s3.client()
            for key in s3.keys(bucket):
                client.delete_object(Bucket=bucket, Key=key)
            client.delete_bucket(Bucket=bucket)
        else:
            shutil.rmtree(files_root)
        with pytest.raises(RuntimeError):
            _count_files(env)  # the database is gone

        # Restore.
        db._admin(f'CREATE DATABASE "{db.name}"')
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={db.url}", str(dump)], check=True)
        if store == "s3":
            s3.create_bucket(bucket)
            _upload_dir(s3, backup, bucket)
        else:
            shutil.copytree(backup, files_root)

        assert _count_files(env) == files
        assert "0 missing, 0 corrupt" in nodes.manage(env, "verify_files")
        nodes.manage(env, "migrate", "--check")  # the schema came back whole
    finally:
        db.stop()
