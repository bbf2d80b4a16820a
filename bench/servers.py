"""Start and stop the servers under test, all on 127.0.0.1 with free ports.

Every process is started in its own session and stopped by its own process group id.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
WORK = BENCH / ".work"
PEERS = BENCH / ".peers"
PEER_BIN = PEERS / "venv" / "bin"
VENV_BIN = Path(sys.executable).parent
PEER_PINS = ["pypiserver==2.4.2", "devpi-server==6.20.3", "devpi-client==7.3.0"]

sys.path.insert(0, str(ROOT))
from devtools.testing.net import free_port
from devtools.testing.nginx import production_conf


def _ready(proc, url):
    """Wait for a just-started server; stop it if it never answers (no stray processes)."""
    try:
        wait_http(url)
    except BaseException:
        proc.stop()
        raise
    return proc


def wait_http(url, timeout=60, ok=(200, 301, 302, 404)):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status in ok:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code in ok:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


class Proc:
    """A started server: its Popen, base URL and log file."""

    def __init__(self, name, cmd, url, env=None, cwd=None):
        self.name, self.url = name, url
        self.log = open(WORK / f"{name}.log", "w")
        self.popen = subprocess.Popen(
            cmd,
            env=env or os.environ.copy(),
            cwd=cwd or ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self):
        return self.popen.pid

    def stop(self):
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
        self.log.close()


def ensure_tools():
    """nginx and wrk from Debian, the peers into their own venv under bench/.peers."""
    missing = [tool for tool in ("nginx", "wrk") if not shutil.which(tool)]
    purge_module = Path("/usr/lib/nginx/modules/ngx_http_cache_purge_module.so")
    if missing or not purge_module.exists():
        subprocess.run(["apt-get", "install", "-y", "nginx", "wrk", "libnginx-mod-http-cache-purge"], check=True)
    if not (PEER_BIN / "pypi-server").exists() or not (PEER_BIN / "devpi-server").exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEERS / "venv")], check=True)
        subprocess.run(
            [str(PEER_BIN / "pip"), "install", "--quiet", "--disable-pip-version-check", *PEER_PINS], check=True
        )


# --- this project -------------------------------------------------------------------------


def app_env(database_url, var_dir, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="pypiapp.settings",
        PYPIAPP_VAR_DIR=str(var_dir),
        DATABASE_URL=database_url,
        SECRET_KEY="bench-only-secret-key-not-for-production-0123456789",
        DEBUG="0",
        PROJECT_CREATE_RATE="1000000/h",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PYTHONPATH=str(ROOT),
    )
    env.pop("REDIS_URL", None)
    env.pop("CACHE_URL", None)
    env.update(extra)
    return env


def manage(env, *args, check=True):
    return subprocess.run(
        [sys.executable, str(BENCH / "manage_bench.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=check,
    )


def start_gunicorn(env, workers, name="gunicorn"):
    port = free_port()
    cmd = [
        str(VENV_BIN / "gunicorn"),
        "pypiapp.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--timeout",
        "120",
        "--backlog",
        "2048",
        "--no-control-socket",
    ]
    proc = Proc(name, cmd, f"http://127.0.0.1:{port}", env=env)
    _ready(proc, proc.url + "/simple/readiness-probe/")  # a 404; leaves the page caches cold
    return proc


# --- peers --------------------------------------------------------------------------------


def start_pypiserver(packages_dir):
    port = free_port()
    cmd = [
        str(PEER_BIN / "pypi-server"),
        "run",
        "-p",
        str(port),
        "-i",
        "127.0.0.1",
        "-a",
        ".",
        "-P",
        ".",
        "--disable-fallback",
        "--log-stream",
        "none",
        str(packages_dir),
    ]
    proc = Proc("pypiserver", cmd, f"http://127.0.0.1:{port}")
    _ready(proc, proc.url + "/simple/")
    proc.simple = proc.url + "/simple/"
    proc.upload = proc.url + "/"
    proc.auth = ("bench", "bench")
    return proc


def start_devpi(serverdir, clientdir, mirror_url=None):
    """devpi-server with an index `bench/dev` for uploads (offline mode), or, with `mirror_url`,
    a mirror index `bench/mirror` of that simple API (devpi's pull-through cache)."""
    port = free_port()
    shutil.rmtree(serverdir, ignore_errors=True)
    shutil.rmtree(clientdir, ignore_errors=True)
    subprocess.run(
        [str(PEER_BIN / "devpi-init"), "--serverdir", str(serverdir), "--root-passwd", "root-bench"],
        check=True,
        capture_output=True,
    )
    cmd = [
        str(PEER_BIN / "devpi-server"),
        "--serverdir",
        str(serverdir),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *([] if mirror_url else ["--offline-mode"]),
    ]
    proc = Proc("devpi", cmd, f"http://127.0.0.1:{port}")
    _ready(proc, proc.url + "/+api")

    def devpi(*args):
        subprocess.run([str(PEER_BIN / "devpi"), "--clientdir", str(clientdir), *args], check=True, capture_output=True)

    try:
        devpi("use", proc.url)
        devpi("user", "-c", "bench", "password=bench-password", "email=bench@example.com")
        devpi("login", "bench", "--password", "bench-password")
        if mirror_url:
            devpi("index", "-c", "mirror", "type=mirror", f"mirror_url={mirror_url}")
        else:
            devpi("index", "-c", "dev", "bases=", "volatile=False")
    except BaseException:
        proc.stop()
        raise
    proc.simple = proc.url + ("/bench/mirror/+simple/" if mirror_url else "/bench/dev/+simple/")
    proc.upload = proc.url + "/bench/dev/"
    proc.auth = ("bench", "bench-password")
    return proc


# --- nginx --------------------------------------------------------------------------------

# What every bench nginx has: its files under its prefix, no access log, clients kept alive.
_NGINX_HEAD = """
worker_processes {workers};
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    keepalive_requests 100000;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
"""
STATIC_CONF = (
    _NGINX_HEAD
    + """
    sendfile on;
    tcp_nopush on;
    default_type text/html;
    server {{
        listen 127.0.0.1:{port} reuseport;
        root {root};
        index index.html;
    }}
}}
"""
)
# nginx in front of one app (bench/proxy.py's Front), as deploy/nginx.conf puts it.
FRONT_CONF = (
    _NGINX_HEAD
    + """
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass {app};
            proxy_set_header Host $http_host;
        }}
    }}
}}
"""
)


def _start_nginx(name, conf_text, dirs=()):
    prefix = WORK / name
    shutil.rmtree(prefix, ignore_errors=True)
    prefix.mkdir(parents=True)
    for directory in dirs:
        (prefix / directory).mkdir()
    conf = prefix / "nginx.conf"
    conf.write_text(conf_text)
    proc = Proc(name, ["nginx", "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"], "", cwd=prefix)
    return proc


def start_nginx_static(root, workers, name="nginx-static"):
    port = free_port()
    prefix = WORK / name
    proc = _start_nginx(name, STATIC_CONF.format(workers=workers, prefix=prefix, port=port, root=root))
    proc.url = f"http://127.0.0.1:{port}"
    _ready(proc, proc.url + "/simple/")
    return proc


def start_nginx_production(port, app_url, packages_root, static_root, workers):
    """deploy/nginx.conf with its placeholders filled in (port chosen first: Django purges it)."""
    prefix = WORK / "nginx-prod"
    text = production_conf(
        listen=f"127.0.0.1:{port}",
        app=app_url,
        packages_root=packages_root,
        static_root=static_root,
        cache_dir=prefix / "cache",
        prefix=prefix,
        workers=workers,
    )
    proc = _start_nginx("nginx-prod", text, dirs=("cache",))
    proc.url = f"http://127.0.0.1:{port}"
    _ready(proc, proc.url + "/simple/")
    return proc
