"""Real services a test starts and stops itself: gunicorn serving this app, redis-server,
a PostgreSQL cluster of its own.

All run as subprocesses on free loopback ports and are stopped by the test (use them as
context managers), so a test may kill or restart them without touching the machine's shared
instances.
"""

import glob
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

from .net import free_port


def database_url():
    """The URL of the database this test run uses (after pytest-django created it)."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for_port(port, process=None, timeout=60, what="server"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on {port} in {timeout}s")


def _stop(process, timeout=20):
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class RedisServer:
    """redis-server on a free port, without persistence; stop() and start() keep the port."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, self.process, what="redis-server")
        return self

    def stop(self):
        _stop(self.process)
        self.process = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class LocalCA:
    """A throwaway certificate authority (trustme) and a certificate for 127.0.0.1/localhost,
    written under `workdir`; clients trust `ca_file` (SSL_CERT_FILE), servers use cert/key or
    `server_context()`."""

    def __init__(self, workdir: Path):
        import trustme

        self.ca = trustme.CA()
        self.cert = self.ca.issue_cert("127.0.0.1", "localhost")
        workdir = Path(workdir)
        self.ca_file, self.cert_file, self.key_file = workdir / "ca.pem", workdir / "server.pem", workdir / "server.key"
        self.ca.cert_pem.write_to_path(str(self.ca_file))
        self.cert.private_key_pem.write_to_path(str(self.key_file))
        for i, pem in enumerate(self.cert.cert_chain_pems):
            pem.write_to_path(str(self.cert_file), append=i > 0)

    def server_context(self):
        import ssl

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.cert.configure_cert(context)
        return context


class AppServer:
    """gunicorn serving pypiapp over http on 127.0.0.1, against this test run's database and
    package storage. `env` adds or overrides environment variables (REDIS_URL, ...); the
    workers' output (Django's log) goes to `self.log`. With `tls` (a LocalCA) it serves https
    with a certificate for 127.0.0.1 from that CA; with `access_log`, gunicorn logs each request
    (`requested_paths()`)."""

    def __init__(self, workdir: Path, env=None, workers=2, timeout=30, tls=None, access_log=False):
        self.workdir = Path(workdir)
        self.port = free_port()
        self.tls = tls
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.log = self.workdir / f"gunicorn-{self.port}.log"
        self.access_log = self.workdir / f"access-{self.port}.log" if access_log else None
        self.extra_env = dict(env or {})
        self.workers = workers
        self.timeout = timeout
        self.process = None

    def environment(self):
        from django.conf import settings

        env = {
            k: v
            for k, v in os.environ.items()
            if k
            not in (
                "TEST_DATABASE_NAME",
                "DJANGO_SETTINGS_MODULE",
                "REDIS_URL",
                "CACHE_URL",
                "RABBITMQ_URL",
                "TASK_BROKER",
            )
        }
        env.update(
            DJANGO_SETTINGS_MODULE="pypiapp.settings",
            DATABASE_URL=database_url(),
            DB_CONN_MAX_AGE="0",  # no idle connections left when the test database is flushed or dropped
            PYPIAPP_VAR_DIR=str(settings.VAR_DIR),
            PACKAGE_FILES_ROOT=str(settings.PACKAGE_FILES_ROOT),
            SECRET_KEY=settings.SECRET_KEY,
            DEBUG="0",
            LOG_LEVEL="WARNING",
        )
        env.update(self.extra_env)
        return env

    def start(self):
        from django.conf import settings

        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                # core/gunicorn.py: production's hooks (metrics shared by the workers).
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "pypiapp.wsgi:application",
                    "-c",
                    "python:core.gunicorn",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    str(self.workers),
                    "--timeout",
                    str(self.timeout),
                    *(["--certfile", str(self.tls.cert_file), "--keyfile", str(self.tls.key_file)] if self.tls else []),
                    *(["--access-logfile", str(self.access_log)] if self.access_log else []),
                ],
                cwd=settings.BASE_DIR,
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_for_port(self.port, self.process, what="gunicorn")
            self._wait_for_a_worker()
        except RuntimeError:
            raise RuntimeError(self.log.read_text()) from None
        return self

    def _wait_for_a_worker(self, timeout=90):
        """The master listens before its workers have loaded the app (slow on a busy machine):
        wait until one answers /_health/ (liveness needs no database, cache or broker)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                context = ssl.create_default_context(cafile=str(self.tls.ca_file)) if self.tls else None
                if get(self.url + "/_health/", timeout=5, context=context)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"no gunicorn worker answered in {timeout}s")

    def stop(self):
        _stop(self.process)
        self.process = None

    def log_text(self):
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def access_log_size(self):
        return self.access_log.stat().st_size if self.access_log.exists() else 0

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

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def get(url, headers=None, timeout=10, context=None):
    """(status, headers, body) of a GET, whatever the status."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


def _as_postgres(cmd):
    """PostgreSQL refuses to run as root: its programs run as the `postgres` user then."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


class PostgresServer:
    """A PostgreSQL cluster of its own (initdb in a temporary directory, trust authentication,
    user `postgres`) on a free port; stop() and start() keep its port and data."""

    def __init__(self):
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
        if not found:
            raise RuntimeError("PostgreSQL's server programs (/usr/lib/postgresql/*/bin) are not installed")
        self.bin = Path(found[0]).parent
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"
        self.workdir = None

    def _ctl(self, *args, timeout=90):
        return subprocess.run(
            _as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.workdir / "data"), *args]),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def start(self):
        if self.workdir is None:
            self.workdir = Path(tempfile.mkdtemp(prefix="test-pg-"))
            if os.geteuid() == 0:
                shutil.chown(self.workdir, "postgres", "postgres")
            subprocess.run(
                _as_postgres(
                    [
                        str(self.bin / "initdb"),
                        "-D",
                        str(self.workdir / "data"),
                        "-U",
                        "postgres",
                        "--auth=trust",
                        "--no-sync",
                        "-E",
                        "UTF8",
                    ]
                ),
                check=True,
                capture_output=True,
                timeout=120,
            )
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.workdir} -c fsync=off"
        result = self._ctl("-o", options, "-l", str(self.workdir / "server.log"), "-w", "-t", "60", "start")
        if result.returncode != 0:
            raise RuntimeError(f"PostgreSQL did not start: {result.stdout}{result.stderr}")
        return self

    def stop(self):
        if self.workdir is not None:
            self._ctl("-m", "fast", "-w", "stop", timeout=60)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)
