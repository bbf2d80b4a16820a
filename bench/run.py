"""Side-by-side benchmark: this index vs pypiserver, devpi-server and nginx serving static bytes.

    make bench                       # everything, writes bench/RESULTS.md
    .venv/bin/python bench/run.py --skip-scale --projects 100000 --no-write

All load is bounded (wrk -d10s) and stays on 127.0.0.1. See bench/README.md for what each part measures.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dataset
import measure
import report
import servers
from servers import WORK

OURS, PROD, PYPISERVER, DEVPI, STATIC = (
    "this index (gunicorn)",
    "this index (nginx + cache)",
    "pypiserver",
    "devpi-server",
    "nginx static",
)
# The install ceiling: this index's chain pages, files and PEP 658 metadata files served by
# nginx from disk; and the same without the metadata files (pip then makes 2 requests per
# package instead of 3, as it does with both peers, which serve no metadata files).
STATIC_CHAIN, STATIC_CHAIN_BARE = "nginx static (same pages and files)", "nginx static, no PEP 658 metadata"
PEERS = [PYPISERVER, DEVPI]
PAGES = {"big": f"/simple/{dataset.BIG}/", "small": f"/simple/{dataset.SMALL}/", "root": "/simple/"}
PROD_VS_STATIC_ROUNDS = 3
UPLOAD_ROUNDS = 3  # this index and pypiserver, in turns


def log(*args):
    print(time.strftime("%H:%M:%S"), *args, file=sys.stderr, flush=True)


def database_url(name="pypiapp_bench", sqlite_dir=None):
    """A fresh PostgreSQL database `name` when one is reachable, else SQLite under bench/.work."""
    server = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    if server.startswith("postgres"):
        try:
            import psycopg2

            base = server.rsplit("/", 1)[0]
            conn = psycopg2.connect(base + "/postgres", connect_timeout=3)
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                cur.execute(f"CREATE DATABASE {name}")
            conn.close()
            return f"{base}/{name}", "PostgreSQL"
        except Exception as exc:  # noqa: BLE001 (any failure means: no PostgreSQL here)
            log("PostgreSQL not usable, falling back to SQLite:", exc)
    return f"sqlite:///{(sqlite_dir or WORK / 'var') / 'db.sqlite3'}", "SQLite"


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, dict(response.headers), response.read()


def setup_ours(db_url):
    var = WORK / "var"
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    env = servers.app_env(db_url, var)
    servers.manage(env, "migrate", "--run-syncdb", "--noinput")
    servers.manage(env, "create_user", "bench", "--email", "bench@example.com", "--password", "bench-password-123")
    token = servers.manage(env, "create_token", "bench").stdout.strip().splitlines()[-1]
    return env, var, token


def save(results):
    """Keep what has been measured so far (a later failure leaves the rest readable)."""
    (WORK / "results.json").write_text(json.dumps(results, indent=2))


def upload_everywhere(results, files, huge, ours, token, peers):
    targets = [(OURS, ours.url + "/legacy/", "__token__", token, ours.pid)]
    targets += [(name, p.upload, *p.auth, p.pid) for name, p in peers.items()]
    for name, url, user, password, pid in targets:
        log(f"twine upload of {len(files)} files to {name}")
        seconds = measure.twine_upload(url, user, password, files)
        log(f"  {seconds:.1f}s; now the 100 MiB file")
        base, peak = measure.peak_rss_during(pid, lambda: measure.twine_upload(url, user, password, [huge]))
        results["uploads"][name] = {"seconds": seconds, "rounds": [seconds], "rss_base": base, "rss_peak": peak}
        save(results)


def upload_rounds_in_turns(files, workers):
    """UPLOAD_ROUNDS - 1 more rounds of the uploads before the main one, this index and pypiserver
    in turns, each into an empty index: one run of each swung 2.5x from run to run of this shared
    machine (pypiserver 8.4 to 22 s), so the target's ratio takes the median of the rounds."""
    rounds = {OURS: [], PYPISERVER: []}
    for round_number in range(1, UPLOAD_ROUNDS):
        env, _var, token = setup_ours(database_url()[0])  # the main round's setup_ours empties it again
        ours = servers.start_gunicorn(env, workers, name=f"gunicorn-upload-{round_number}")
        try:
            log(f"upload round {round_number} of {UPLOAD_ROUNDS}: {OURS}")
            rounds[OURS].append(measure.twine_upload(ours.url + "/legacy/", "__token__", token, files))
        finally:
            ours.stop()
        packages = WORK / "pypiserver-upload-round"
        shutil.rmtree(packages, ignore_errors=True)
        packages.mkdir()
        peer = servers.start_pypiserver(packages)
        try:
            log(f"upload round {round_number} of {UPLOAD_ROUNDS}: {PYPISERVER}")
            rounds[PYPISERVER].append(measure.twine_upload(peer.upload, *peer.auth, files))
        finally:
            peer.stop()
            shutil.rmtree(packages, ignore_errors=True)
    return rounds


def take_upload_medians(results, earlier_rounds):
    for name, rounds in earlier_rounds.items():
        measured = results["uploads"][name]
        measured["rounds"] = rounds + measured["rounds"]
        measured["seconds"] = statistics.median(measured["rounds"])
    save(results)


def load_everywhere(results, targets):
    for page, path in PAGES.items():
        for name, base in targets.items():
            url = base(path) if callable(base) else base + path
            log(f"wrk {page} on {name}: {url}")
            results["load"].setdefault(page, {})[name] = measure.wrk(url)
            save(results)


def installs_everywhere(results, indexes, key="installs"):
    log(f"pip/uv install of {dataset.CHAIN[0]} from {', '.join(indexes)}")
    results.setdefault(key, {}).update(measure.install_rounds(indexes, dataset.CHAIN[0]))
    save(results)


def _save(root, url_path, body):
    """Write `body` where nginx (root `root`, index index.html) serves `url_path`."""
    target = root / url_path.strip("/")
    if url_path.endswith("/"):
        target = target / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(body)


def save_static_pages(ours):
    root = WORK / "static"
    shutil.rmtree(root, ignore_errors=True)
    for path in PAGES.values():
        _save(root, path, fetch(ours.url + path)[2])
    return root


def save_static_chain(ours, metadata=True):
    """This index's chain pages (HTML) and files as static files; `metadata=False` drops the
    PEP 658 attributes from the pages, so installers fetch the wheels instead."""
    root = WORK / ("static-chain" if metadata else "static-chain-bare")
    shutil.rmtree(root, ignore_errors=True)
    for name in dataset.CHAIN:
        _, _, page = fetch(f"{ours.url}/simple/{name}/", {"Accept": "text/html"})
        for href in re.findall(rb'href="(/packages/[^"#]+)', page):
            paths = [href.decode()] + ([href.decode() + ".metadata"] if metadata and href.endswith(b".whl") else [])
            for path in paths:
                _save(root, path, fetch(ours.url + path)[2])
        if not metadata:
            page = re.sub(rb' data-(dist-info|core)-metadata="[^"]*"', b"", page)
        _save(root, f"/simple/{name}/", page)
    links = "".join(f'<a href="/simple/{name}/">{name}</a>\n' for name in dataset.CHAIN)
    _save(root, "/simple/", f"<!DOCTYPE html>\n<html><body>\n{links}</body></html>\n".encode())
    return root


def freshness_check(prod, env):
    """A yank, then an upload, must show on the very next request through the front cache."""
    out = {}
    page = prod.url + PAGES["big"]
    fetch(page)
    _, headers, body = fetch(page)
    out["before"] = headers.get("X-Cache")
    version = "1.0.0"
    servers.manage(env, "yank", dataset.BIG, version, "--reason", "bench yank")
    _, headers, body = fetch(page)
    out["yank_visible"] = b'data-yanked="bench yank"' in body
    out["after_yank"] = headers.get("X-Cache")
    _, headers, body = fetch(page)
    out["cached_again"] = headers.get("X-Cache")
    return out


def upload_visible(prod, token, results):
    new = dataset.write_dists(WORK / "late", dataset.BIG, "9.9.9", kinds=("wheel",))
    measure.twine_upload(prod.url + "/legacy/", "__token__", token, new)
    _, headers, body = fetch(prod.url + PAGES["big"], {"Accept": "application/vnd.pypi.simple.v1+json"})
    results["freshness"]["upload_visible_json"] = "9.9.9" in json.loads(body)["versions"]
    results["freshness"]["after_upload"] = headers.get("X-Cache")


def scale(results, env, projects, workers):
    log(f"bulk-inserting {projects} projects")
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, str(servers.BENCH / "scale_seed.py"), str(projects)],
        env=env,
        check=True,
        cwd=servers.ROOT,
        capture_output=True,
    )
    results["scale"] = {"projects": projects, "seed_seconds": time.perf_counter() - start, "wrk": {}}
    app = servers.start_gunicorn(env, workers, name="gunicorn-scale")
    try:
        start = time.perf_counter()
        _, _, body = fetch(app.url + "/simple/")
        results["scale"]["root_cold_ms"] = (time.perf_counter() - start) * 1000
        results["scale"]["root_bytes"] = len(body)
        urls = {
            "/simple/": "/simple/",
            f"/simple/{dataset.BIG}/": PAGES["big"],
            f"/pypi/{dataset.BIG}/json": f"/pypi/{dataset.BIG}/json",
            f"/project/{dataset.SMALL}/": f"/project/{dataset.SMALL}/",
            "/search/?q=delta": "/search/?q=delta",
        }
        for label, path in urls.items():
            try:
                fetch(app.url + path)
            except Exception as exc:  # noqa: BLE001 (a page this build lacks is skipped, not fatal)
                log(f"skipping {label}: {exc}")
                continue
            measure.wrk(app.url + path, connections=4, seconds=2)  # warm every worker
            for connections in (1, 32):
                r = measure.wrk(app.url + path, connections=connections)
                r["connections"] = connections
                results["scale"]["wrk"][f"{label} (c={connections})"] = r
    finally:
        app.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=100_000, help="projects for the scale part")
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    parser.add_argument("--from-json", action="store_true", help="only re-render bench/.work/results.json")
    args = parser.parse_args()
    if args.from_json:
        results = json.loads((WORK / "results.json").read_text())
        text = render(results, results.get("files", dataset.TOTAL_FILES))
        print(text)
        if not args.no_write:
            (servers.BENCH / "RESULTS.md").write_text(text)
        return
    WORK.mkdir(parents=True, exist_ok=True)
    servers.ensure_tools()
    data = dataset.build(WORK / "dists")
    workers = os.cpu_count() or 2
    earlier_upload_rounds = upload_rounds_in_turns(data["main"], workers)
    db_url, db_name = database_url()
    results = {
        "machine": report.machine(),
        "database": db_name,
        "workers": workers,
        "uploads": {},
        "load": {},
        "installs": {},
        "freshness": {},
    }
    env, var, token = setup_ours(db_url)
    running = []
    try:
        ours = servers.start_gunicorn(env, workers)
        running.append(ours)
        pypiserver_dir = WORK / "pypiserver-packages"
        shutil.rmtree(pypiserver_dir, ignore_errors=True)
        pypiserver_dir.mkdir()
        peers = {PYPISERVER: servers.start_pypiserver(pypiserver_dir)}
        running.append(peers[PYPISERVER])
        peers[DEVPI] = servers.start_devpi(WORK / "devpi-server", WORK / "devpi-client")
        running.append(peers[DEVPI])
        upload_everywhere(results, data["main"], data["huge"], ours, token, peers)
        take_upload_medians(results, earlier_upload_rounds)
        static = servers.start_nginx_static(save_static_pages(ours), workers)
        running.append(static)
        targets = {
            OURS: ours.url,
            PYPISERVER: peers[PYPISERVER].url,
            DEVPI: lambda path: peers[DEVPI].simple + path.removeprefix("/simple/"),
            STATIC: static.url,
        }
        load_everywhere(results, targets)
        ceilings = {}
        for label, metadata in ((STATIC_CHAIN, True), (STATIC_CHAIN_BARE, False)):
            name = "nginx-" + ("static-chain" if metadata else "static-chain-bare")
            ceilings[label] = servers.start_nginx_static(save_static_chain(ours, metadata), workers, name=name)
            running.append(ceilings[label])
        ceiling_urls = {label: proc.url + "/simple/" for label, proc in ceilings.items()}
        installs_everywhere(
            results,
            {
                OURS: ours.url + "/simple/",
                PYPISERVER: peers[PYPISERVER].simple,
                DEVPI: peers[DEVPI].simple,
                **ceiling_urls,
            },
        )
        ours.stop()  # the peers stay up (idle) for the production layout's install rounds
        running.remove(ours)

        # The documented production layout: nginx (deploy/nginx.conf) in front, purged on change.
        prod_port = servers.free_port()
        prod_env = dict(
            env,
            EDGE_CACHE_SECONDS="86400",
            EDGE_PURGE_URLS=f"http://127.0.0.1:{prod_port}/_purge",
            FILE_DELIVERY="x-accel-redirect",
        )
        app = servers.start_gunicorn(prod_env, workers, name="gunicorn-prod")
        running.append(app)
        prod = servers.start_nginx_production(prod_port, app.url, var / "packages", var / "static", workers)
        running.append(prod)
        for path in PAGES.values():
            fetch(prod.url + path)
        load_everywhere(results, {PROD: prod.url})
        # The production target is a ratio to nginx static: measure the two in turns as well.
        log("big page: production layout and nginx static, interleaved")
        results["prod_vs_static"] = measure.interleaved_wrk(
            {PROD: prod.url + PAGES["big"], STATIC: static.url + PAGES["big"]}, rounds=PROD_VS_STATIC_ROUNDS
        )
        results["prod_vs_static_rounds"] = PROD_VS_STATIC_ROUNDS
        save(results)
        # Interleaved with the same peers again, so this comparison is from one set of rounds too.
        installs_everywhere(
            results,
            {
                PROD: prod.url + "/simple/",
                PYPISERVER: peers[PYPISERVER].simple,
                DEVPI: peers[DEVPI].simple,
                **ceiling_urls,
            },
            key="installs_prod",
        )
        results["freshness"] = freshness_check(prod, prod_env)
        upload_visible(prod, token, results)
        for proc in (prod, app, *peers.values(), *ceilings.values()):
            proc.stop()
            running.remove(proc)
        if not args.skip_scale:
            try:
                scale(results, env, args.projects, workers)
            except Exception as exc:  # noqa: BLE001 (report what was measured before it)
                log("scale part failed:", exc)
                results.pop("scale", None)
    finally:
        for proc in running:
            proc.stop()
    save(results)
    text = render(results, len(data["main"]))
    print(text)
    if not args.no_write:
        (servers.BENCH / "RESULTS.md").write_text(text)


def render(results, files):
    servers_order = [OURS, PROD, PYPISERVER, DEVPI, STATIC, STATIC_CHAIN, STATIC_CHAIN_BARE]
    parts = [
        "# Benchmark results",
        "",
        f"Machine: {results['machine']}. This index: gunicorn with {results['workers']} sync workers, "
        f"{results['database']}, local-memory cache. Peers: pypiserver 2.4.2 and devpi-server 6.20.3 with their "
        "default settings. Produced by `make bench` (bench/run.py); wrk -t2 -c32 -d10s on 127.0.0.1, "
        "plain HTML (no Accept or Accept-Encoding header).",
        "",
        "## Simple pages under load",
        f"`big` = /simple/{dataset.BIG}/ (300 releases, 600 files), `small` = /simple/{dataset.SMALL}/ (2 files), "
        "`root` = /simple/ (all projects).",
        "",
        report.load_table(results["load"], list(PAGES), servers_order, PEERS, STATIC),
        "",
        "## Against the issue's targets",
        "",
        report.targets_table(results, OURS, PROD, PEERS, STATIC, STATIC_CHAIN),
        "",
        f"## Installing a 10-package dependency chain (no cache, median of {measure.INSTALL_ROUNDS}, servers interleaved)",
        "",
        f"`{STATIC_CHAIN}` is the ceiling for this index's design: its chain pages, wheels and PEP 658 "
        f"metadata files served from disk by nginx. `{STATIC_CHAIN_BARE}` is the same without the metadata "
        "files: pip and uv then fetch 2 files per package instead of 3, as they do from both peers (which serve "
        "no metadata files).",
        "",
        report.install_table(results["installs"], servers_order),
        "",
        "The production layout's rounds ran later, interleaved with the same peers again:",
        "",
        report.install_table(results.get("installs_prod", {}), servers_order),
        "",
        "## Uploads",
        "",
        report.upload_table(results["uploads"], servers_order, files),
        "",
        "## Freshness through the front cache",
        "",
        f"`X-Cache` before the change: {results['freshness'].get('before')}; yank visible on the next request: "
        f"**{results['freshness'].get('yank_visible')}** (X-Cache {results['freshness'].get('after_yank')}, then "
        f"{results['freshness'].get('cached_again')}); new upload visible in PEP 691 JSON on the next request: "
        f"**{results['freshness'].get('upload_visible_json')}** (X-Cache {results['freshness'].get('after_upload')}).",
    ]
    if "scale" in results:
        s = results["scale"]
        parts += [
            "",
            f"## Scale: {s['projects']:,} more projects (bulk-inserted in {s['seed_seconds']:.0f} s)",
            "",
            f"First /simple/ after seeding (cold, full build): {s['root_cold_ms']:.0f} ms for "
            f"{s['root_bytes'] / 1e6:.1f} MB of HTML. Then, warm:",
            "",
            report.scale_table(s),
        ]
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    main()
