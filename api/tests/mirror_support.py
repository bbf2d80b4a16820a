"""Support for the bandersnatch mirror test: the index served over TLS, and bandersnatch itself.

bandersnatch insists on an https:// master, so the app runs under gunicorn with a
certificate from a throwaway CA (trustme), against the test database and package storage
of this test run. bandersnatch 8.2 needs Python >= 3.12 and pins its own dependencies, so it
lives in a separate virtualenv that is created on first use and kept under var/tools/.
"""

import glob
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

from devtools.testing.net import free_port
from devtools.testing.servers import database_url

BANDERSNATCH_VERSION = "8.2.0"


def _is_py312(python):
    try:
        out = subprocess.run(
            [python, "-c", "import sys; print(sys.version_info >= (3, 12))"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0 and out.stdout.strip() == "True"


def find_python312():
    """A Python >= 3.12 on this machine (pyenv keeps several next to the 3.11 the project uses)."""
    candidates = [shutil.which(n) for n in ("python3.13", "python3.12", "python3")]
    pyenv_root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates += sorted(glob.glob(f"{pyenv_root}/versions/3.1[2-9]*/bin/python3"), reverse=True)
    candidates += sorted(
        glob.glob("/usr/bin/python3.1[2-9]") + glob.glob("/usr/local/bin/python3.1[2-9]"), reverse=True
    )
    return next((c for c in candidates if c and _is_py312(c)), None)


def bandersnatch_executable():
    """Path of the bandersnatch command, installing it into its own venv when missing.

    Returns (path, seconds spent installing) or (None, reason) when no Python >= 3.12 exists.
    """
    venv = Path(settings.BASE_DIR) / "var" / "tools" / f"bandersnatch-{BANDERSNATCH_VERSION}-venv"
    exe = venv / "bin" / "bandersnatch"
    if exe.exists() and subprocess.run([str(exe), "--version"], capture_output=True).returncode == 0:
        return exe, 0.0
    python = find_python312()
    if python is None:
        return None, "bandersnatch 8.2 needs Python >= 3.12 and none was found"
    started = time.monotonic()
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([python, "-m", "venv", str(venv)], check=True, timeout=300)
    result = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            f"bandersnatch=={BANDERSNATCH_VERSION}",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        raise RuntimeError(f"installing bandersnatch failed:\n{result.stdout}\n{result.stderr}")
    return exe, time.monotonic() - started


class TLSServer:
    """gunicorn serving pypiapp over https on 127.0.0.1 with a trustme certificate."""

    def __init__(self, workdir: Path):
        import trustme

        self.workdir = workdir
        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        self.ca_file = workdir / "ca.pem"
        ca.cert_pem.write_to_path(str(self.ca_file))
        self.cert_file, self.key_file = workdir / "server.pem", workdir / "server.key"
        cert.cert_chain_pems[0].write_to_path(str(self.cert_file))
        for extra in cert.cert_chain_pems[1:]:
            extra.write_to_path(str(self.cert_file), append=True)
        cert.private_key_pem.write_to_path(str(self.key_file))
        self.port = free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        self.access_log = workdir / "access.log"
        self.error_log = workdir / "error.log"
        self.process = None

    def start(self):
        env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_NAME", "DJANGO_SETTINGS_MODULE")}
        env.update(
            DJANGO_SETTINGS_MODULE="pypiapp.settings",
            DATABASE_URL=database_url(),
            DB_CONN_MAX_AGE="0",  # no idle connections left when the test database is flushed or dropped
            PYPIAPP_VAR_DIR=str(settings.VAR_DIR),
            PACKAGE_FILES_ROOT=str(settings.PACKAGE_FILES_ROOT),
            SECRET_KEY=settings.SECRET_KEY,
            DEBUG="0",
        )
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "pypiapp.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--certfile",
                str(self.cert_file),
                "--keyfile",
                str(self.key_file),
                "--workers",
                "2",
                "--access-logfile",
                str(self.access_log),
                "--error-logfile",
                str(self.error_log),
            ],
            cwd=settings.BASE_DIR,
            env=env,
        )
        context = ssl.create_default_context(cafile=str(self.ca_file))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.error_log.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as raw:
                    with context.wrap_socket(raw, server_hostname="127.0.0.1"):
                        return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start serving TLS in time")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def requested_paths(self, since_byte=0):
        """Paths of the requests gunicorn logged after `since_byte` of its access log."""
        with open(self.access_log, "rb") as log:
            log.seek(since_byte)
            lines = log.read().decode().splitlines()
        paths = []
        for line in lines:
            if '"' in line:
                request = line.split('"')[1]  # e.g. GET /pypi/foo/json HTTP/1.1
                parts = request.split()
                if len(parts) >= 2:
                    paths.append(parts[1])
        return paths

    def log_size(self):
        return self.access_log.stat().st_size if self.access_log.exists() else 0


def bandersnatch_config(path: Path, master: str, mirror_dir: Path, diff_file: Path):
    path.write_text(
        "[mirror]\n"
        f"directory = {mirror_dir}\n"
        f"master = {master}\n"
        "json = true\n"
        "release-files = true\n"
        "core-metadata = true\n"
        "simple-format = ALL\n"
        "timeout = 30\n"
        "global-timeout = 600\n"
        "workers = 2\n"
        "hash-index = false\n"
        "stop-on-error = true\n"
        f"diff-file = {diff_file}\n"
        "\n[plugins]\nenabled =\n"
    )
    return path
