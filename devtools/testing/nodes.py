"""The pieces of the multi-node layout (deploy/README.md), started on this machine for the tests:
a PostgreSQL database of their own on the shared server, a Redis of their own, a RabbitMQ
vhost of their own, gunicorn web nodes, a dramatiq worker, nginx, and an SMTP sink that knows
which process connected to it. Every process is started here and stopped by `stop()`."""

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from .clients import clean_env
from .net import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
BIN = Path(sys.executable).parent
POSTGRES = os.environ.get("MULTINODE_POSTGRES", "postgres://postgres@127.0.0.1:5432")
RABBITMQ = os.environ.get("MULTINODE_RABBITMQ", "amqp://guest:guest@127.0.0.1:5672")


def wait_until(check, timeout=60, interval=0.1, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result:
                return result
        except (OSError, urllib.error.URLError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(interval)


def http_status(url, timeout=5):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class Process:
    """A subprocess with its output in a log file."""

    def __init__(self, name, cmd, env, log_dir, cwd=ROOT):
        self.name, self.cmd, self.env, self.cwd = name, cmd, env, cwd
        self.log_path = Path(log_dir) / f"{name}.log"
        self.proc = None
        self.start()

    def start(self):
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            self.cmd, env=self.env, cwd=self.cwd, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self):
        return self.proc.pid

    def pids(self):
        """This process and its children (gunicorn's and dramatiq's workers)."""
        out = subprocess.run(["ps", "-o", "pid=", "-s", str(self.proc.pid)], capture_output=True, text=True).stdout
        return {int(p) for p in out.split()}

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, sig)  # its own session: the process and its workers
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        except ProcessLookupError:
            pass
        finally:
            self._log.close()

    def log(self):
        return self.log_path.read_text(errors="replace")


class Database:
    """A PostgreSQL database of its own on the shared server (dropped by stop())."""

    def __init__(self, prefix="mn"):
        self.name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        self.url = f"{POSTGRES}/{self.name}"
        self._admin(f'CREATE DATABASE "{self.name}"')

    def _admin(self, sql):
        import psycopg2

        connection = psycopg2.connect(f"{POSTGRES}/postgres")
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
        finally:
            connection.close()

    def stop(self):
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class RabbitVhost:
    """A vhost of its own on the shared RabbitMQ, so queue names never collide (rabbitmqctl)."""

    def __init__(self):
        self.name = f"mn-{uuid.uuid4().hex[:10]}"
        subprocess.run(["rabbitmqctl", "-q", "add_vhost", self.name], check=True, capture_output=True, timeout=60)
        subprocess.run(
            ["rabbitmqctl", "-q", "set_permissions", "-p", self.name, "guest", ".*", ".*", ".*"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        self.url = f"{RABBITMQ}/{self.name}"

    def stop(self):
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", self.name], capture_output=True, timeout=60)


def start_redis(log_dir):
    port = free_port()
    process = Process(
        "redis",
        [shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        os.environ.copy(),
        log_dir,
    )
    wait_until(lambda: _can_connect(port), 20, what="redis")
    return process, f"redis://127.0.0.1:{port}/0"


def _can_connect(port):
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=1):
        return True


def app_env(**settings):
    """A node's environment: only what deploy/pypi.env would give it (no test settings)."""
    env = {
        k: v
        for k, v in clean_env().items()
        if not k.startswith(
            (
                "DJANGO_",
                "DATABASE_",
                "REDIS_",
                "CACHE_",
                "RABBITMQ_",
                "S3_",
                "EMAIL_",
                "TEST_DATABASE",
                "PYPIAPP_",
                "EDGE_",
                "FILE_DELIVERY",
                "TASK_BROKER",
            )
        )
    }
    env.update(DJANGO_SETTINGS_MODULE="pypiapp.settings", **{k: str(v) for k, v in settings.items()})
    return env


def manage(env, *args, timeout=300):
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def start_web_node(name, env, log_dir, port=None, workers=2):
    """gunicorn on 127.0.0.1:<port> as deploy/systemd/pypi-web.service runs it (core/gunicorn.py's
    hooks, metrics files of its own), with an access log of its own (one line per request).
    Ready when /_health/ready answers 200."""
    port = port or free_port()
    env = {**env, "PROMETHEUS_MULTIPROC_DIR": str(Path(log_dir) / f"{name}-metrics")}
    cmd = [
        str(BIN / "gunicorn"),
        "pypiapp.wsgi",
        "-c",
        "python:core.gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        str(Path(log_dir) / f"{name}.access.log"),
        "--graceful-timeout",
        "5",
    ]
    node = Process(name, cmd, env, log_dir)
    node.port, node.url = port, f"http://127.0.0.1:{port}"
    node.access_log = Path(log_dir) / f"{name}.access.log"
    node.wait_ready = lambda: wait_until(
        lambda: node.proc.poll() is None and http_status(node.url + "/_health/ready") == 200,
        60,
        what=f"web node {name} ready",
    )
    node.wait_ready()
    return node


def start_worker(env, log_dir):
    return Process(
        "worker", [str(BIN / "dramatiq"), "pypiapp.worker", "--processes", "1", "--threads", "2"], env, log_dir
    )


def start_nginx(conf_text, prefix):
    prefix = Path(prefix)
    (prefix / "cache").mkdir(exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(conf_text)
    main = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")
    process = Process(
        "nginx", [shutil.which("nginx"), "-p", str(prefix), "-c", str(conf), "-g", main], os.environ.copy(), prefix
    )
    port = int(re.search(r"listen 127\.0\.0\.1:(\d+)", conf_text).group(1))
    wait_until(lambda: process.proc.poll() is None and _can_connect(port), 20, what="nginx")
    process.url = f"http://127.0.0.1:{port}"
    return process


def connecting_pids(local_port):
    """Pids of the processes whose TCP connections come from 127.0.0.1:<local_port> (ss -tnp)."""
    out = subprocess.run(
        ["ss", "-Htnp", "state", "established", f"( sport = :{local_port} )"], capture_output=True, text=True
    ).stdout
    return {int(pid) for pid in re.findall(r"pid=(\d+)", out)}


class SmtpSink:
    """An SMTP server (aiosmtpd) that keeps every message and the pid of every client process."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages, self.client_pids = [], set()
        self._lock = threading.Lock()
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # aiosmtpd's hook names
        self._note(session)
        session.host_name = hostname
        return responses

    async def handle_HELO(self, server, session, envelope, hostname):
        self._note(session)
        session.host_name = hostname
        return "250 {}".format(server.hostname)

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.messages.append((envelope.rcpt_tos, envelope.content.decode(errors="replace")))
        return "250 Message accepted for delivery"

    def _note(self, session):
        pids = connecting_pids(session.peer[1])
        with self._lock:
            self.client_pids |= pids

    def stop(self):
        self._controller.stop()
