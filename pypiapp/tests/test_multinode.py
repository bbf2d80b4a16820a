"""The documented multi-node layout (deploy/README.md) brought up on this machine: PostgreSQL
(a database of its own), Redis (shared cache and rate limits), RabbitMQ (a vhost of its own)
with a separate dramatiq worker, moto's S3 server, two gunicorn web nodes with environments of
their own, and nginx (deploy/nginx-nodes.conf) balancing them and caching pages.

Figures (phase timings, requests per node, failover counts) go to the test's output and to
var/multinode.json."""

import http.client
import json
import re
import signal
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from devtools.dists import write_dists
from devtools.testing import clients, nodes
from devtools.testing.net import free_port
from devtools.testing.nginx import nodes_conf

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

SECRET = "multi-node-test-secret-key-" + "x" * 40


def _get(url, headers=None, timeout=20):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def _node_hits(node, path_prefix):
    """Requests under `path_prefix` in the node's gunicorn access log."""
    if not node.access_log.exists():
        return 0
    return sum(1 for line in node.access_log.read_text().splitlines() if f'"GET {path_prefix}' in line)


class Cluster:
    def __init__(self, tmp, s3):
        self.tmp, self.stoppers, self.timings = tmp, [], {}
        started = time.perf_counter()
        self.db = self._keep(nodes.Database())
        redis, redis_url = nodes.start_redis(tmp)
        self._keep(redis)
        self.vhost = self._keep(nodes.RabbitVhost())
        self.smtp = self._keep(nodes.SmtpSink())
        bucket = s3.create_bucket(f"multinode-{self.db.name.replace('_', '-')}")
        self.s3, self.bucket = s3, bucket
        self.lb_port = free_port()
        lb = f"http://127.0.0.1:{self.lb_port}"
        self.common = dict(
            DATABASE_URL=self.db.url,
            SECRET_KEY=SECRET,
            CACHE_URL=redis_url,
            RABBITMQ_URL=self.vhost.url,
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=self.smtp.port,
            EMAIL_USE_TLS="0",
            FILE_DELIVERY="redirect",
            EDGE_CACHE_SECONDS="3600",
            EDGE_PURGE_URLS=f"{lb}/_purge",
            SITE_URL=lb,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            **s3.env(bucket),
        )
        self.manage_env = nodes.app_env(PYPIAPP_VAR_DIR=tmp / "var-admin", **self.common)
        t = time.perf_counter()
        nodes.manage(self.manage_env, "migrate", "--noinput")
        self.timings["migrate_s"] = time.perf_counter() - t
        t = time.perf_counter()
        self.worker = self._keep(nodes.start_worker(self.env("worker"), tmp))
        self.a = self._keep(nodes.start_web_node("node-a", self.env("node-a"), tmp))
        self.b = self._keep(nodes.start_web_node("node-b", self.env("node-b"), tmp))
        self.timings["web_nodes_start_s"] = time.perf_counter() - t
        nginx_dir = tmp / "nginx"
        nginx_dir.mkdir()
        from django.conf import settings

        self.nginx = self._keep(
            nodes.start_nginx(
                nodes_conf(
                    listen=f"127.0.0.1:{self.lb_port}",
                    nodes=[f"127.0.0.1:{self.a.port}", f"127.0.0.1:{self.b.port}"],
                    purge_from=["127.0.0.1"],
                    static_root=settings.STATIC_ROOT,
                    cache_dir=nginx_dir / "cache",
                    prefix=nginx_dir,
                    workers=1,
                ),
                nginx_dir,
            )
        )
        self.url = self.nginx.url
        self.timings["bring_up_s"] = time.perf_counter() - started

    def env(self, name):
        """Each node's own environment: the shared settings and a var/ folder of its own."""
        (self.tmp / f"var-{name}").mkdir(exist_ok=True)
        return nodes.app_env(PYPIAPP_VAR_DIR=self.tmp / f"var-{name}", **self.common)

    def _keep(self, thing):
        self.stoppers.append(thing)
        return thing

    def stop(self):
        for thing in reversed(self.stoppers):
            try:
                thing.stop()
            except Exception as exc:  # noqa: BLE001 (keep stopping the rest)
                print(f"stopping {thing!r}: {exc}")


@pytest.fixture
def cluster(tmp_path, s3_server):
    cluster = Cluster.__new__(Cluster)
    cluster.stoppers = []
    try:
        cluster.__init__(tmp_path, s3_server)
        yield cluster
    finally:
        cluster.stop()


def _login(base, username, password):
    import requests

    session = requests.Session()
    page = session.get(f"{base}/account/login/", timeout=20)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    done = session.post(
        f"{base}/account/login/",
        data={"login": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/account/login/"},
        timeout=20,
    )
    assert done.status_code == 200 and "/account/login/" not in done.url, done.text[:500]
    return session


def _load(url_paths, base, seconds, stop_at, on_stop, threads=8):
    """GET these paths round-robin from `threads` threads for `seconds`; call on_stop() once
    at `stop_at` seconds. Returns (sent, failed, failures)."""
    sent, failed, failures, lock = [0], [0], [], threading.Lock()
    start = time.monotonic()
    deadline = start + seconds

    def run(offset):
        i = offset
        while time.monotonic() < deadline:
            path = url_paths[i % len(url_paths)]
            i += 1
            try:
                status, _, _ = _get(base + path, timeout=10)
                ok = status in (200, 302)
            except (OSError, http.client.HTTPException) as exc:  # refused, reset, or cut off mid-body
                ok, status = False, repr(exc)
            with lock:
                sent[0] += 1
                if not ok:
                    failed[0] += 1
                    failures.append((round(time.monotonic() - start, 2), path, status))

    workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    time.sleep(stop_at)
    on_stop()
    for worker in workers:
        worker.join()
    return sent[0], failed[0], failures


def test_two_web_nodes_behind_nginx_behave_as_one_index(cluster, tmp_path):
    figures = {"timings": cluster.timings}
    env = cluster.manage_env
    nodes.manage(env, "create_user", "alice", "--email", "alice@example.test", "--password", "alice-password-123")
    nodes.manage(env, "create_user", "bob", "--email", "bob@example.test", "--password", "bob-password-123")
    token = nodes.manage(env, "create_token", "alice").strip().splitlines()[-1]

    # twine uploads through the balancer; the files land in the bucket.
    dists = write_dists(tmp_path / "d1", "multi-pkg", "1.0") + write_dists(tmp_path / "d2", "multi-pkg", "2.0")
    t = time.perf_counter()
    uploaded = clients.twine_upload(f"{cluster.url}/legacy/", token, dists)
    figures["timings"]["twine_upload_4_files_s"] = time.perf_counter() - t
    assert uploaded.returncode == 0, uploaded.stdout + uploaded.stderr
    keys = cluster.s3.keys(cluster.bucket)
    assert sorted(key.rsplit("/", 1)[1] for key in keys if not key.endswith(".metadata")) == sorted(
        p.name for p in dists
    )
    nodes.manage(
        env,
        "shell",
        "-c",
        (
            "from packages import services; from packages.models import Project; from accounts.models import User; "
            "services.add_role(Project.objects.get(normalized_name='multi-pkg'), User.objects.get(username='bob'), "
            "'Maintainer', User.objects.get(username='alice'))"
        ),
    )

    # pip and uv install through the balancer; the requests land on both nodes.
    simple = f"{cluster.url}/simple/"
    t = time.perf_counter()
    for n in range(3):
        done = clients.pip_install(simple, ["multi-pkg"], tmp_path / f"pip{n}")
        assert done.returncode == 0, done.stdout + done.stderr
        assert clients.import_version(tmp_path / f"pip{n}", "multi_pkg") == "2.0"
        done = clients.uv_install(simple, ["multi-pkg==1.0"], tmp_path / f"uv{n}")
        assert done.returncode == 0, done.stdout + done.stderr
    figures["timings"]["3_pip_and_3_uv_installs_s"] = time.perf_counter() - t
    per_node = {"node-a": _node_hits(cluster.a, "/packages/"), "node-b": _node_hits(cluster.b, "/packages/")}
    figures["file_requests_per_node"] = per_node
    assert per_node["node-a"] > 0 and per_node["node-b"] > 0, per_node

    # A yank made on node A (maintainer portal) is seen through node B and the balancer at once.
    status, _, body = _get(f"{cluster.b.url}/simple/multi-pkg/", {"Accept": "application/vnd.pypi.simple.v1+json"})
    assert status == 200 and not any(f.get("yanked") for f in json.loads(body)["files"])
    assert _get(f"{cluster.url}/simple/multi-pkg/")[1]["X-Cache"] in ("HIT", "MISS")
    assert _get(f"{cluster.url}/simple/multi-pkg/")[1]["X-Cache"] == "HIT"
    session = _login(cluster.a.url, "alice", "alice-password-123")
    yanked_at = time.perf_counter()
    yank = session.post(
        f"{cluster.a.url}/manage/project/multi-pkg/release/2.0/yank/",
        data={"reason": "broken on node A", "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": cluster.a.url + "/"},
        timeout=20,
    )
    assert yank.status_code == 200, yank.text[:500]
    nodes.wait_until(lambda: cluster.smtp.messages, 60, interval=0.02, what="the yank mail")
    figures["timings"]["yank_to_mail_delivered_s"] = time.perf_counter() - yanked_at
    status, _, body = _get(f"{cluster.b.url}/simple/multi-pkg/", {"Accept": "application/vnd.pypi.simple.v1+json"})
    yanked = {f["filename"]: f.get("yanked") for f in json.loads(body)["files"]}
    assert yanked["multi_pkg-2.0-py3-none-any.whl"] == "broken on node A"
    status, headers, body = _get(f"{cluster.url}/simple/multi-pkg/")
    assert headers["X-Cache"] == "MISS" and b'data-yanked="broken on node A"' in body
    done = clients.pip_install(simple, ["multi-pkg"], tmp_path / "after-yank")
    assert done.returncode == 0 and clients.import_version(tmp_path / "after-yank", "multi_pkg") == "1.0"

    # The yank's mail to the other maintainer goes out from the worker, never from a web node.
    ((recipients, content),) = cluster.smtp.messages
    assert recipients == ["bob@example.test"] and "broken on node A" in content
    web_pids = cluster.a.pids() | cluster.b.pids()
    assert cluster.smtp.client_pids and cluster.smtp.client_pids <= cluster.worker.pids()
    assert not cluster.smtp.client_pids & web_pids

    # Stop node B (SIGKILL, its workers too) during a bounded load run, while pip installs.
    wheel = next(k for k in cluster.s3.keys(cluster.bucket) if k.endswith("multi_pkg-1.0-py3-none-any.whl"))
    paths = ["/pypi/multi-pkg/json", f"/packages/{wheel}", "/project/multi-pkg/", "/simple/multi-pkg/?format=json"]
    installs = []

    def kill_b():
        cluster.b.stop(signal.SIGKILL)
        for n in range(2):
            done = clients.pip_install(simple, ["multi-pkg==1.0"], tmp_path / f"failover{n}")
            installs.append(done.returncode)

    before = {"a": _node_hits(cluster.a, "/"), "b": _node_hits(cluster.b, "/")}
    t = time.perf_counter()
    sent, failed, failures = _load(paths, cluster.url, seconds=12, stop_at=3, on_stop=kill_b)
    errors = (cluster.tmp / "nginx" / "error.log").read_text()
    figures["failover"] = {
        "requests_sent": sent,
        "requests_failed": failed,
        "failures": failures[:20],
        "seconds": round(time.perf_counter() - t, 1),
        "load_threads": 8,
        "served_by_node_a": _node_hits(cluster.a, "/") - before["a"],
        "served_by_node_b_before_its_stop": _node_hits(cluster.b, "/") - before["b"],
        "nginx_upstream_errors_retried": len(re.findall(r"\[error\].*upstream", errors)),
        "pip_installs_during_outage": installs,
    }
    assert installs == [0, 0]
    assert failed <= 8, failures  # at most the requests in flight on node B (one per load thread)

    # Node B rejoins: restarted, it takes requests again once nginx's fail_timeout has passed.
    t = time.perf_counter()
    cluster.b.access_log.unlink()
    cluster.b.start()
    cluster.b.wait_ready()
    figures["timings"]["node_b_restart_s"] = time.perf_counter() - t

    def b_serves():
        for _ in range(10):
            _get(cluster.url + "/pypi/multi-pkg/json")
        return _node_hits(cluster.b, "/pypi/")

    nodes.wait_until(b_serves, 30, interval=0.5, what="node B back in rotation")
    figures["timings"]["node_b_back_in_rotation_s"] = time.perf_counter() - t
    done = clients.pip_install(simple, ["multi-pkg==1.0"], tmp_path / "rejoined")
    assert done.returncode == 0, done.stdout + done.stderr

    print(json.dumps(figures, indent=2))
    out = Path(__file__).resolve().parent.parent.parent / "var" / "multinode.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(figures, indent=2))
