"""deploy/nginx.conf made concrete, for the suite's end-to-end test and for the benchmark."""

import os
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from .net import free_port

DEPLOY_DIR = Path(__file__).resolve().parent.parent.parent / "deploy"
DEPLOY_CONF = DEPLOY_DIR / "nginx.conf"
NODES_CONF = DEPLOY_DIR / "nginx-nodes.conf"


def production_conf(*, listen, app, packages_root, static_root, cache_dir, prefix, workers):
    """The production config with its placeholders filled in (see the top of deploy/nginx.conf).

    `cache_dir` must exist; nginx makes its cache folders inside it."""
    return _fill(
        DEPLOY_CONF,
        {
            "__LISTEN__": listen,
            "__APP__": app.removeprefix("http://"),
            "__PACKAGES_ROOT__": f"{packages_root}/",
            "__STATIC_ROOT__": f"{static_root}/",
            "__CACHE_DIR__": str(cache_dir),
            "__PREFIX__": str(prefix),
            "__WORKERS__": str(workers),
        },
    )


def nodes_conf(*, listen, nodes, purge_from, static_root, cache_dir, prefix, workers, fail_timeout=5):
    """deploy/nginx-nodes.conf for the web nodes at `nodes` ("host:port"), files in S3."""
    upstreams = "\n        ".join(f"server {node} max_fails=1 fail_timeout={fail_timeout}s;" for node in nodes)
    allow = "\n            ".join(f"allow {address};" for address in purge_from)
    return _fill(
        NODES_CONF,
        {
            "__LISTEN__": listen,
            "__UPSTREAMS__": upstreams,
            "__PURGE_ALLOW__": allow,
            "__STATIC_ROOT__": f"{static_root}/",
            "__CACHE_DIR__": str(cache_dir),
            "__PREFIX__": str(prefix),
            "__WORKERS__": str(workers),
        },
    )


def _fill(template, values):
    """The template with its placeholders replaced, except in comments (which name them)."""
    lines = []
    for line in template.read_text().splitlines(keepends=True):
        if not line.lstrip().startswith("#"):
            for key, value in values.items():
                line = line.replace(key, value)
        lines.append(line)
    return "".join(lines)


@contextmanager
def running_front(app_url, tmp_path):
    """nginx with the production config on a free loopback port, proxying to `app_url`; yields its URL.

    Stops it afterwards and fails if its error log shows a crash."""
    from django.conf import settings

    assert shutil.which("nginx"), "nginx is needed (apt-get install nginx libnginx-mod-http-cache-purge)"
    port = free_port()
    (tmp_path / "cache").mkdir(exist_ok=True)
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        production_conf(
            listen=f"127.0.0.1:{port}",
            app=app_url,
            packages_root=settings.PACKAGE_FILES_ROOT,
            static_root=settings.STATIC_ROOT,
            cache_dir=tmp_path / "cache",
            prefix=tmp_path,
            workers=1,
        )
    )
    # As root, nginx's workers would run as nobody, who can't enter pytest's private folders.
    main = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")
    proc = subprocess.Popen(["nginx", "-p", str(tmp_path), "-c", str(conf), "-g", main], stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read().decode()
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    log = tmp_path / "error.log"
    errors = log.read_text() if log.exists() else ""
    assert "signal" not in errors and "[crit]" not in errors and "[alert]" not in errors, errors
