"""pypi.org's size: the same pages and an upload measured on a nearly empty index, then again
after bulk-loading 700,000 projects and 7,000,000 files (bench/bulk_copy.py, PostgreSQL COPY).

    .venv/bin/python bench/pypi_size.py [--projects 700000] [--releases 5] [--keep-db]
    .venv/bin/python bench/pypi_size.py --load-only     # load both databases and keep them
    .venv/bin/python bench/pypi_size.py --reuse-db      # measure on the kept ones (no reload)

Uses a database of its own (bench_7m, dropped at the end unless --keep-db or --reuse-db) on the PostgreSQL at
DATABASE_URL's server (default postgres://postgres@127.0.0.1:5432). Django alone (gunicorn,
2 sync workers, its local-memory page cache), no nginx. A second, nearly empty index
(bench_7m_empty) runs beside it and every figure is taken on both in turns. Writes bench/.work/pypi_size.json and
the "pypi.org's size" section of bench/RESULTS.md. `make bench` runs it after the rest.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dataset
import measure
import servers

from devtools.dists import write_dists

DB_NAME = "bench_7m"
WORKERS = 2
UPLOADS = 15
WRK_SECONDS = 6
JSON = "Accept: application/vnd.pypi.simple.v1+json"
GZIP = "Accept-Encoding: gzip"
PAGES = {
    "/simple/ (HTML)": ("/simple/", ()),
    "/simple/ (JSON)": ("/simple/", (JSON,)),
    "/simple/ (HTML, gzip)": ("/simple/", (GZIP,)),  # what pip and uv ask for
    "/simple/ (JSON, gzip)": ("/simple/", (JSON, GZIP)),
    f"/simple/{dataset.BIG}/ (600 files)": (f"/simple/{dataset.BIG}/", ()),
    f"/simple/{dataset.SMALL}/ (2 files)": (f"/simple/{dataset.SMALL}/", ()),
    f"/pypi/{dataset.BIG}/json": (f"/pypi/{dataset.BIG}/json", ()),
    f"/project/{dataset.SMALL}/": (f"/project/{dataset.SMALL}/", ()),
    "/search/?q=delta": ("/search/?q=delta", ()),  # a word in 190,000 of the 700,000 projects
    f"/search/?q={dataset.BIG}": (f"/search/?q={dataset.BIG}", ()),  # a rare word: one match
    "/search/?q=1234": ("/search/?q=1234", ()),  # a rare word with a page of results (111 matches at 7M)
}
ONLY_FULL = set()
# nginx serving the 7M index's own /simple/ bodies from disk (sendfile): the ceiling for those pages.
STATIC = {"/simple/ (HTML)": "/simple/", "/simple/ (JSON)": "/json/"}
PER_PAGE_TARGET = [label for label in PAGES if not label.startswith(("/simple/ ", "/search/"))]


def log(*args):
    print(time.strftime("%H:%M:%S"), *args, file=sys.stderr, flush=True)


def _admin(server, sql):
    import psycopg2

    connection = psycopg2.connect(server + "/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(sql)
    connection.close()


def fetch_ms(url, headers=()):
    request = urllib.request.Request(url, headers=dict(h.split(": ", 1) for h in headers))
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        body = response.read()
    return (time.perf_counter() - start) * 1000, len(body)


def worker_rss(app):
    """RSS (MiB) of each gunicorn worker (the master's children)."""
    pids = [pid for pid in measure._tree(app.popen.pid) if pid != app.popen.pid]
    return sorted(round(measure.tree_rss_mib(pid), 1) for pid in pids)


ROUNDS = 3


def _measures(label, name):
    if name == "static":
        return label in STATIC
    return not (label in ONLY_FULL and name == "empty")


def measure_pages(apps, results):
    """Each page on both indexes (and nginx static, for the pages it holds) in turns (empty, 7M,
    static, empty, …), medians of ROUNDS wrk runs: the shared machine's slow spells then land on
    every side alike."""
    for label, (path, headers) in PAGES.items():
        urls = {
            name: app.url + (STATIC[label] if name == "static" else path)
            for name, app in apps.items()
            if _measures(label, name)
        }
        for url in urls.values():
            fetch_ms(url, headers)
            measure.wrk(url, connections=4, seconds=2, headers=headers)  # warm both workers
        for connections in (1, 32):
            runs = {name: [] for name in urls}
            for _ in range(ROUNDS):
                for name, url in urls.items():
                    runs[name].append(measure.wrk(url, connections=connections, seconds=WRK_SECONDS, headers=headers))
            for name, rs in runs.items():
                r = {key: statistics.median(x[key] for x in rs) for key in ("rps", "p50", "p99", "errors")}
                results.setdefault(name, {"pages": {}})["pages"][f"{label} c={connections}"] = r
                log(f"  {name}: {label} c={connections}: p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms")


def start_static(app):
    """nginx serving `app`'s /simple/ bodies (HTML at /simple/, JSON at /json/) from disk."""
    root = servers.WORK / "size-static"  # (not under `work`, which mkdtemp made readable by us alone)
    shutil.rmtree(root, ignore_errors=True)
    for kind, (path, headers) in (("simple", ("/simple/", ())), ("json", ("/simple/", (JSON,)))):
        request = urllib.request.Request(app.url + path, headers=dict(h.split(": ", 1) for h in headers))
        (root / kind).mkdir(parents=True)
        with urllib.request.urlopen(request, timeout=600) as response:
            (root / kind / "index.html").write_bytes(response.read())
    return servers.start_nginx_static(root, WORKERS, name="nginx-size-static")


def measure_uploads(apps, tokens, work, results):
    """UPLOADS uploads to each index, in turns (the first of each is left out: it creates the project,
    named after the run so that a reused database takes it as new)."""
    times = {name: [] for name in apps}
    from twine.package import PackageFile
    from twine.repository import Repository

    repositories = {
        name: Repository(f"{app.url}/legacy/", "__token__", tokens[name], disable_progress_bar=True)
        for name, app in apps.items()
    }
    probe = f"latency-probe-{int(time.time())}"
    try:
        for n in range(UPLOADS + 1):
            (path,) = write_dists(work / f"up-{n}", probe, f"1.{n}", kinds=("wheel",))
            package = PackageFile.from_filename(str(path), comment=None)
            for name, repository in repositories.items():
                start = time.perf_counter()
                response = repository.upload(package)
                times[name].append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, response.text[:500]
    finally:
        for repository in repositories.values():
            repository.close()
    for name, ts in times.items():
        ts = ts[1:]
        results[name]["upload_ms"] = {
            "median": statistics.median(ts),
            "p90": sorted(ts)[int(len(ts) * 0.9)],
            "all": [round(t, 1) for t in ts],
        }
        log(f"  {name}: upload median {results[name]['upload_ms']['median']:.0f} ms")


def _token(env):
    return servers.manage(env, "create_token", "bench").stdout.strip().splitlines()[-1]


def prepare(env, files):
    """Schema, the bench user and its token, bigproj and smallproj uploaded with twine."""
    servers.manage(env, "migrate", "--run-syncdb", "--noinput")
    servers.manage(env, "create_user", "bench", "--email", "bench@example.com", "--password", "bench-pass-123")
    token = _token(env)
    app = servers.start_gunicorn(env, 1, name="gunicorn-size-prepare")
    try:
        measure.twine_upload(app.url + "/legacy/", "__token__", token, files)
    finally:
        app.stop()
    return token


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=700_000)
    parser.add_argument("--releases", type=int, default=5)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument(
        "--load-only", action="store_true", help="create and load both databases, keep them, measure nothing"
    )
    parser.add_argument(
        "--reuse-db",
        action="store_true",
        help="measure on the databases a --load-only or --keep-db run left (schema brought up to the models)",
    )
    parser.add_argument("--quick", action="store_true", help="one 2 s wrk run per figure (a smoke test)")
    parser.add_argument(
        "--only-root",
        action="store_true",
        help="measure /simple/ only (no upload), write bench/.work/pypi_size_root.json, not RESULTS.md",
    )
    args = parser.parse_args()
    global ROUNDS, WRK_SECONDS
    if args.quick:
        ROUNDS, WRK_SECONDS = 1, 2
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True)
    server = (os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres").rsplit("/", 1)[0]
    servers.WORK.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="pypi-size-", dir=servers.WORK))
    keep = args.keep_db or args.load_only or args.reuse_db
    load_file = servers.WORK / "pypi_size_load.json"
    envs = {}
    for name, db in (("empty", DB_NAME + "_empty"), ("full", DB_NAME)):
        (work / f"var-{name}").mkdir()
        envs[name] = servers.app_env(f"{server}/{db}", work / f"var-{name}")
        if not args.reuse_db:
            _admin(server, f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
            _admin(server, f"CREATE DATABASE {db}")
    results = {
        "projects": args.projects,
        "releases_per_project": args.releases,
        "workers": WORKERS,
        "wrk_seconds": WRK_SECONDS,
        "rounds": ROUNDS,
        "empty": {"pages": {}},
        "full": {"pages": {}},
    }
    apps = {}
    try:
        files = [
            p
            for p in dataset.build(servers.WORK / "dists")["main"]
            if p.name.startswith((f"{dataset.BIG}-", f"{dataset.SMALL}-"))
        ]
        if args.reuse_db:
            log("reusing the loaded databases: schema brought up to the models")
            for env in envs.values():
                servers.manage(env, "migrate", "--run-syncdb", "--noinput")
                subprocess.run(
                    [sys.executable, str(servers.BENCH / "schema_catchup.py")], env=env, cwd=servers.ROOT, check=True
                )
            tokens = {name: _token(env) for name, env in envs.items()}
            results["load"] = json.loads(load_file.read_text())
        else:
            log("both indexes: uploading bigproj and smallproj")
            tokens = {name: prepare(env, files) for name, env in envs.items()}

            log(f"bulk-loading {args.projects} projects × {args.releases} releases × 2 files with COPY")
            start = time.perf_counter()
            out = subprocess.run(
                [
                    sys.executable,
                    str(servers.BENCH / "bulk_copy.py"),
                    str(args.projects),
                    "--releases",
                    str(args.releases),
                ],
                env=envs["full"],
                cwd=servers.ROOT,
                check=True,
                stdout=subprocess.PIPE,
                text=True,
            ).stdout  # its errors go to our stderr
            results["load"] = json.loads(out.strip().splitlines()[-1])
            results["load"]["total_s"] = time.perf_counter() - start
            load_file.write_text(json.dumps(results["load"], indent=2))
        log(f"  loaded in {results['load']['total_s']:.0f} s: {results['load']['counts']}")
        if args.load_only:
            return

        for name, env in envs.items():
            apps[name] = servers.start_gunicorn(env, WORKERS, name=f"gunicorn-size-{name}")
        for name, app in apps.items():
            results[name]["root_cold_ms"], results[name]["root_bytes"] = fetch_ms(app.url + "/simple/")
            results[name]["root_json_cold_ms"], results[name]["root_json_bytes"] = fetch_ms(
                app.url + "/simple/", (JSON,)
            )
        log(f"  cold /simple/ at 7M: {results['full']['root_cold_ms']:.0f} ms, {results['full']['root_bytes']} bytes")
        sample = results["load"]["sample_project"]  # one of the bulk-loaded projects
        label = f"/simple/<bulk>/ ({2 * args.releases} files)"
        PAGES[label] = (f"/simple/{sample}/", ())
        ONLY_FULL.add(label)
        if args.only_root:
            for key in [k for k in PAGES if not k.startswith("/simple/ ")]:
                del PAGES[key]
        apps["static"] = start_static(apps["full"])
        measure_pages(apps, results)
        apps.pop("static").stop()
        if not args.only_root:
            measure_uploads(apps, tokens, work, results)
        for name, app in apps.items():
            # /simple/ after a change: the segments the change touched are rewritten (no full rebuild).
            results[name]["root_after_upload_ms"] = [round(fetch_ms(app.url + "/simple/")[0], 1) for _ in range(4)]
            results[name]["worker_rss_mib"] = worker_rss(app)
        if not args.only_root:
            log("the cost of a change to /simple/, in-process (bench/simple_index_update.py)")
            out = subprocess.run(
                [sys.executable, str(servers.BENCH / "simple_index_update.py")],
                env=envs["full"],
                cwd=servers.ROOT,
                check=True,
                stdout=subprocess.PIPE,
                text=True,
            ).stdout
            results["index_update"] = json.loads(out.strip().splitlines()[-1])
    finally:
        for app in apps.values():
            app.stop()
        if not args.load_only:
            out = "pypi_size_root.json" if args.only_root else "pypi_size.json"
            (servers.WORK / out).write_text(json.dumps(results, indent=2))
        if not keep:
            for db in (DB_NAME, DB_NAME + "_empty"):
                _admin(server, f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
    if not (args.only_root or args.load_only):
        write_section(results)


def _fmt(value):
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def _page_rows(results):
    empty, full, static = results["empty"], results["full"], results.get("static", {"pages": {}})
    lines = [
        "| page | empty p50 ms | empty p99 ms | 7M p50 ms | 7M p99 ms | 7M req/s | 7M ÷ empty (p50) "
        "| nginx static, same bytes: p50 / p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, r in full["pages"].items():
        e, st = empty["pages"].get(key), static["pages"].get(key)
        ceiling = f"{_fmt(st['p50'])} / {_fmt(st['p99'])}" if st else "–"
        if not r["rps"]:  # wrk saw no answer at all within its 10 s timeout
            lines.append(
                f"| `{key}` | {_fmt(e['p50']) if e else '–'} | {_fmt(e['p99']) if e else '–'} | "
                f"no answer within 10 s | – | 0 | – | {ceiling} |"
            )
            continue
        ratio = f"{r['p50'] / e['p50']:.2f}×" if e else "–"
        lines.append(
            f"| `{key}` | {_fmt(e['p50']) if e else '–'} | {_fmt(e['p99']) if e else '–'} | {_fmt(r['p50'])} "
            f"| {_fmt(r['p99'])} | {r['rps']:,.1f} | {ratio} | {ceiling} |"
        )
    return lines


def _targets(results):
    empty, full = results["empty"], results["full"]
    pages = full["pages"]
    up_e, up_f = empty.get("upload_ms", {}), full.get("upload_ms", {})
    upload = up_f.get("median", 0) / max(up_e.get("median", 1), 1e-9)
    worst = max(
        (
            pages[f"{k} c=1"]["p50"] / empty["pages"][f"{k} c=1"]["p50"]
            for k in PER_PAGE_TARGET
            if f"{k} c=1" in empty["pages"] and f"{k} c=1" in pages
        ),
        default=0,
    )
    lines = [
        "| target | measured | met |",
        "|---|---|---|",
        f"| per-project pages within 1.5× of the empty index (p50, c=1) | worst {worst:.2f}× | "
        f"{'yes' if worst <= 1.5 else 'no'} |",
        f"| upload within 1.5× of the empty index | {upload:.2f}× | {'yes' if upload <= 1.5 else 'no'} |",
    ]
    static = results.get("static", {"pages": {}})["pages"]
    for label in ("/simple/ (HTML)", "/simple/ (JSON)", "/simple/ (HTML, gzip)", "/simple/ (JSON, gzip)"):
        p99 = pages.get(f"{label} c=32", {}).get("p99", 0)
        ceiling = static.get(f"{label} c=32")
        note = f" (nginx static, same bytes: {ceiling['p99']:.0f} ms)" if ceiling else ""
        lines.append(
            f"| `{label}` p99 under 1 s at c=32, Django alone | {p99:.0f} ms{note} | {'yes' if 0 < p99 < 1000 else 'no'} |"
        )
    after = full.get("root_after_upload_ms", [])
    update = results.get("index_update", {})
    if update:
        lines.append(
            f"| `/simple/` never rebuilt from scratch after the first build | a change rewrites "
            f"{max(update['segments_rewritten'])} segment of {update['segments']} in {update['update_ms']['median']:.0f} ms "
            f"(first build {update['first_build_ms'] / 1000:.1f} s) | yes |"
        )
    common = pages.get("/search/?q=delta c=1", {}).get("p50", 0)
    for rare_word, what in ((dataset.BIG, "one result"), ("1234", "a page of 20 results, as 'delta'")):
        rare = pages.get(f"/search/?q={rare_word} c=1", {}).get("p50", 0)
        if common and rare:
            lines.append(
                f"| a common word's search ('delta') within 1.5× of a rare word's ('{rare_word}': {what}; p50, c=1) "
                f"| {common:.1f} vs {rare:.1f} ms ({common / rare:.2f}×) | {'yes' if common <= 1.5 * rare else 'no'} |"
            )
    return lines + (
        [
            f"| (`/simple/` right after an upload, four requests over both workers: {', '.join(map(_fmt, after))} ms) | | |"
        ]
        if after
        else []
    )


def write_section(results):
    """The "pypi.org's size" section of bench/RESULTS.md (replaced on every run)."""
    empty, full, load = results["empty"], results["full"], results.get("load", {})
    counts = load.get("counts", {})
    lines = [
        "## pypi.org's size: 700,000 projects, 7,000,000 files",
        "",
        f"Produced by `bench/pypi_size.py` (part of `make bench`). Django alone: gunicorn, {results['workers']} sync "
        f"workers each, local-memory page cache, no nginx; PostgreSQL on the same 2 CPUs. Two indexes run side "
        "by side, one nearly empty (bigproj, smallproj) and one with the bulk load on top of the same two, and "
        f"every figure is the median of {results['rounds']} wrk runs of {results['wrk_seconds']} s taken in turns "
        "(empty, 7M, empty, …) after a warm-up, so that the shared machine's slow spells hit both; plain requests "
        "(no Accept-Encoding) unless the row says gzip. For `/simple/` uncompressed, nginx serving the 7M "
        "index's own bodies from disk joins the turns: no server can send those bytes faster here.",
        "",
        f"Bulk load (`bench/bulk_copy.py`, COPY): {counts.get('Project', 0):,} projects, {counts.get('Release', 0):,} "
        f"releases, {counts.get('File', 0):,} files, {counts.get('JournalEntry', 0):,} journal entries in "
        f"**{load.get('total_s', 0):.0f} s** (files COPY {load.get('files_s', 0):.0f} s, releases "
        f"{load.get('releases_s', 0):.0f} s, index rebuild {load.get('rebuild_indexes_s', 0):.0f} s, search vectors "
        f"{load.get('search_vectors_s', 0):.0f} s, VACUUM ANALYZE {load.get('vacuum_analyze_s', 0):.0f} s).",
        "",
        *_page_rows(results),
    ]
    up_e, up_f = empty.get("upload_ms", {}), full.get("upload_ms", {})
    update = results.get("index_update", {})
    lines += [
        "",
        f"- Upload (one wheel, a new release, timed around the HTTP request; median of {UPLOADS - 1}): "
        f"empty {up_e.get('median', 0):.0f} ms, 7M {up_f.get('median', 0):.0f} ms "
        f"(**{up_f.get('median', 0) / max(up_e.get('median', 1), 1e-9):.2f}×**).",
        f"- Cold `/simple/` (a node's first request, which builds the segments; bench/pypi_size.py starts with "
        f"an empty SIMPLE_INDEX_DIR): empty {empty.get('root_cold_ms', 0):.0f} ms; 7M "
        f"**{full.get('root_cold_ms', 0) / 1000:.1f} s** for {full.get('root_bytes', 0) / 1e6:.0f} MB of HTML, then "
        f"JSON {full.get('root_json_cold_ms', 0):.0f} ms for {full.get('root_json_bytes', 0) / 1e6:.0f} MB "
        "(from the same segments).",
    ]
    if update:
        bodies = update["bodies_ms_median"]
        lines.append(
            f"- A change to `/simple/` (`bench/simple_index_update.py`, in-process, {len(update['update_ms']['all'])} "
            f"changes: a new project or a deletion each): the segments brought up to date in "
            f"{update['update_ms']['median']:.0f} ms (median; max {update['update_ms']['max']:.0f}), "
            f"{max(update['segments_rewritten'])} of {update['segments']} segments rewritten; then each body "
            f"asked for is laid end to end once per change: HTML {bodies['html.identity']:.0f} ms, gzip "
            f"{bodies['html.gzip']:.0f} ms, JSON {bodies['json.identity']:.0f} ms, gzip {bodies['json.gzip']:.0f} ms."
        )
    lines += [
        f"- `/simple/` right after an upload (four requests, over both workers): 7M "
        f"{', '.join(_fmt(t) for t in full.get('root_after_upload_ms', []))} ms.",
        f"- Web worker RSS: empty {empty.get('worker_rss_mib')} MiB, 7M after the measurements "
        f"{full.get('worker_rss_mib')} MiB.",
        "",
        "Targets:",
        "",
        *_targets(results),
    ]
    text = "\n".join(lines) + "\n"
    path = servers.BENCH / "RESULTS.md"
    current = path.read_text() if path.exists() else "# Benchmark results\n"
    current = re.sub(r"\n## pypi\.org's size: .*?(?=\n## |\Z)", "\n", current, flags=re.S).rstrip("\n")
    path.write_text(current + "\n\n" + text)


if __name__ == "__main__":
    main()
