"""A gunicorn worker killed with SIGKILL mid-upload (bytes stored, rows not committed) leaves
nothing behind for good: verify_files reports the orphan, the upload's outbox intent removes it,
the storage sweep removes the temporary file, and the retried upload stores the right bytes."""

import base64
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.tests.factories import UserFactory
from accounts.tokens import issue_token
from devtools.dists import write_dists
from devtools.testing import clients
from devtools.testing.servers import AppServer
from outbox.models import Message
from packages.models import File

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def stored(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def rows():
    paths = []
    for f in File.objects.all():
        paths += [f.path, f.metadata_path] if f.has_metadata else [f.path]
    return sorted(paths)


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def temp_files(directory):
    return [p.name for p in directory.iterdir() if ".upload" in p.name]


def worker_pid(app):
    pid = app.process.pid
    with open(f"/proc/{pid}/task/{pid}/children") as handle:
        children = handle.read().split()
    assert len(children) == 1, children
    return int(children[0])


@contextlib.contextmanager
def partial_upload(app, token):
    """POST /legacy/ announcing a 20 MB body and sending only its first megabyte."""
    boundary = "----killed-worker"
    head = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
        for k, v in {
            ":action": "file_upload",
            "protocol_version": "1",
            "name": "partial",
            "version": "1.0",
            "filetype": "bdist_wheel",
            "pyversion": "py3",
            "metadata_version": "2.1",
        }.items()
    )
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="content"; '
        f'filename="partial-1.0-py3-none-any.whl"\r\nContent-Type: application/octet-stream\r\n\r\n'
    )
    auth = base64.b64encode(f"__token__:{token}".encode()).decode()
    request = (
        f"POST /legacy/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic {auth}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {20 * 1024 * 1024}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", app.port), timeout=30) as conn:
        conn.sendall(request.encode() + head.encode() + b"\0" * (1024 * 1024))
        yield


def test_sigkill_between_store_and_commit_leaves_storage_equal_to_rows(tmp_path):
    token = issue_token(UserFactory(username="killed-owner"), "account").raw
    root, temp_dir, marker = tmp_path / "packages", tmp_path / "upload-tmp", tmp_path / "paused"
    root.mkdir()
    temp_dir.mkdir()
    env = {"PACKAGE_FILES_ROOT": str(root), "FILE_UPLOAD_TEMP_DIR": str(temp_dir)}
    wheel = write_dists(tmp_path / "dist", "killed-mid-upload", "1.0", kinds=("wheel",))

    with AppServer(tmp_path, env={**env, "UPLOAD_TEST_PAUSE_FILE": str(marker)}, workers=1) as app:
        twine = subprocess.Popen(
            clients.twine_command(f"{app.url}/legacy/", token, wheel),
            env=clients.clean_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while not (marker.exists() and marker.read_text()) and time.monotonic() < deadline:
                time.sleep(0.05)
            os.kill(int(marker.read_text()), signal.SIGKILL)  # bytes stored, commit not reached
        finally:
            twine.kill()
            twine.wait()
        # A second worker killed while the body is still arriving leaves a partial temp file.
        with partial_upload(app, token):
            deadline = time.monotonic() + 60
            while not temp_files(temp_dir) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert temp_files(temp_dir)
            os.kill(worker_pid(app), signal.SIGKILL)
        sweep_env = app.environment()

    assert File.objects.count() == 0
    orphaned = stored(root)
    assert len(orphaned) == 2 and orphaned[0].endswith(".whl") and orphaned[1].endswith(".whl.metadata")

    check = manage(sweep_env, "verify_files")
    assert check.returncode != 0 and "2 orphaned objects in storage" in check.stdout, check.stdout + check.stderr

    # The upload left an intent in the outbox: after the grace period the relay deletes its objects.
    intent = Message.objects.get(kind="packages.services.projects.delete_unreferenced")
    assert intent.due > timezone.now() + timedelta(minutes=50)
    Message.objects.filter(pk=intent.pk).update(due=timezone.now())
    relay = manage(sweep_env, "run_periodic", "outbox")
    assert relay.returncode == 0, relay.stderr
    assert stored(root) == rows() == []
    assert not Message.objects.exists()

    sweep = manage({**sweep_env, "ORPHAN_GRACE_SECONDS": "0"}, "run_periodic", "storage-sweep")
    assert sweep.returncode == 0 and "1 upload temp files removed" in sweep.stdout, sweep.stdout + sweep.stderr
    assert temp_files(temp_dir) == []

    with AppServer(tmp_path, env=env, workers=1) as app:  # the retry
        result = clients.twine_upload(f"{app.url}/legacy/", token, wheel)
        assert result.returncode == 0, result.stdout + result.stderr
    assert stored(root) == rows() and len(rows()) == 2
    assert not Message.objects.exists()  # the committed upload cancelled its intent
    assert manage(sweep_env, "verify_files").returncode == 0
