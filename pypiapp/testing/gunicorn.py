"""The app under gunicorn on a free loopback port, as production runs it (plain HTTP).

The server uses this test run's database and storage unless `env` says otherwise, the
production settings module, and core/gunicorn.py's hooks (metrics across workers). Its
stderr (the app's log lines and gunicorn's own) goes to `log_file`.
"""
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from .net import free_port


def database_url():
    """The URL of the database this test run uses (after pytest-django created it)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class GunicornServer:
    def __init__(self, workdir: Path, *, workers=2, env=None, extra_args=()):
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_file = workdir / f"gunicorn-{self.port}.log"
        self.workers = workers
        self.extra_env = env or {}
        self.extra_args = list(extra_args)
        self.process = None

    def environment(self):
        env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_NAME", "DJANGO_SETTINGS_MODULE")}
        env.update(
            DJANGO_SETTINGS_MODULE="pypiapp.settings",
            DATABASE_URL=database_url(),
            DB_CONN_MAX_AGE="0",  # no idle connections left when the test database is flushed or dropped
            PYPIAPP_VAR_DIR=str(settings.VAR_DIR),
            PACKAGE_FILES_ROOT=str(settings.PACKAGE_FILES_ROOT),
            SECRET_KEY=settings.SECRET_KEY,
            DEBUG="0",
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        return {k: v for k, v in env.items() if v is not None}

    def start(self, timeout=60):
        self._log = open(self.log_file, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "pypiapp.wsgi:application", "-c", "python:core.gunicorn",
             "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers), *self.extra_args],
            cwd=settings.BASE_DIR, env=self.environment(), stdout=self._log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log_file.read_text()[-3000:]}")
            try:
                urllib.request.urlopen(self.url + "/_health/", timeout=2).close()
                return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer /_health/ in time")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "_log", None):
            self._log.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def log_lines(self):
        return self.log_file.read_text(errors="replace").splitlines()


def get(url, headers=None, timeout=10):
    """(status, headers, body) of a GET, whatever the status."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()
