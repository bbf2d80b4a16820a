"""Throw-away instances of the real services, for tests that stop and start them.

Each runs on a free loopback port in its own directory and is stopped by the context
manager (the shared PostgreSQL and Redis of the machine are never touched):

    with own_redis() as redis, own_postgresql() as pg:
        ... redis.url, pg.url ...
        redis.stop(); pg.stop(); pg.start()
"""
import glob
import os
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from .net import free_port


def _wait(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not come up within {timeout} s")


class RedisInstance:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        _wait(self.ready, 20, "redis-server")
        return self

    def ready(self):
        result = subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True)
        return result.stdout.strip() == "PONG"

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


def postgresql_bin():
    """The directory of PostgreSQL's server programs (initdb, pg_ctl), newest version first."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    return Path(found[0]).parent if found else None


def _as_postgres(cmd):
    """PostgreSQL refuses to run as root: run its programs as the `postgres` user when we are root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


class PostgresInstance:
    """A cluster of its own (initdb), trust authentication on 127.0.0.1, user `postgres`."""

    def __init__(self, workdir: Path):
        self.bin = postgresql_bin()
        if self.bin is None:
            raise RuntimeError("PostgreSQL's server programs (/usr/lib/postgresql/*/bin) are not installed")
        self.workdir = workdir
        self.data = workdir / "data"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"
        if os.geteuid() == 0:
            shutil.chown(workdir, "postgres", "postgres")

    def init(self):
        subprocess.run(_as_postgres([str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                                     "--auth=trust", "--no-sync", "-E", "UTF8"]),
                       check=True, capture_output=True, timeout=120)
        return self

    def start(self):
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.workdir} -c fsync=off"
        subprocess.run(_as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options,
                                     "-l", str(self.workdir / "server.log"), "-w", "-t", "60", "start"]),
                       check=True, capture_output=True, timeout=90)
        return self

    def stop(self):
        subprocess.run(_as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]),
                       capture_output=True, timeout=60)

    def running(self):
        result = subprocess.run(_as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "status"]),
                                capture_output=True, timeout=30)
        return result.returncode == 0


@contextmanager
def _workdir(prefix):
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextmanager
def own_redis():
    with _workdir("test-redis-") as workdir:
        instance = RedisInstance(workdir).start()
        try:
            yield instance
        finally:
            instance.stop()


@contextmanager
def own_postgresql():
    with _workdir("test-pg-") as workdir:
        instance = PostgresInstance(workdir).init().start()
        try:
            yield instance
        finally:
            instance.stop()
