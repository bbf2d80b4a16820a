"""Download throughput with counting on and off, in both layouts (issue 21's 5% target).

    .venv/bin/python bench/downloads.py [--rounds 3]

gunicorn alone (FILE_DELIVERY=django: Django sends the wheel and appends its log line) and the
production layout (deploy/nginx.conf: nginx sends it and writes its `downloads` access log),
each with counting on and off (DOWNLOAD_LOG_PATH="" / the access_log line removed), measured by
wrk (-c32, 10 s a run) in interleaved rounds; the medians and the on/off ratio are printed and written to
bench/.work/downloads.json. Not part of the test suite.
"""

import argparse
import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import measure
import servers

WORK = servers.WORK / "downloads"
WORKERS = 2


def wheel_path(env):
    code = (
        "from packages.models import File; "
        "print(File.objects.filter(packagetype='bdist_wheel').order_by('id').first().url_path)"
    )
    return servers.manage(env, "shell", "-c", code).stdout.strip().splitlines()[-1]


def nginx_front(name, app_url, env, counting):
    port = servers.free_port()
    prefix = servers.WORK / name
    text = servers.production_conf(
        listen=f"127.0.0.1:{port}",
        app=app_url,
        packages_root=env["PACKAGE_FILES_ROOT"],
        static_root=WORK / "static",
        cache_dir=prefix / "cache",
        prefix=prefix,
        workers=WORKERS,
    )
    if not counting:
        text = "\n".join(line for line in text.splitlines() if "downloads.log" not in line)
    proc = servers._start_nginx(name, text, dirs=("cache",))
    proc.url = f"http://127.0.0.1:{port}"
    servers._ready(proc, proc.url + "/simple/")
    return proc


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    servers.ensure_tools()
    shutil.rmtree(WORK, ignore_errors=True)
    (WORK / "static").mkdir(parents=True)
    base = servers.app_env(f"sqlite:///{WORK / 'db.sqlite3'}", WORK, PACKAGE_FILES_ROOT=str(WORK / "packages"))
    servers.manage(base, "migrate", "--run-syncdb", "--noinput")
    servers.manage(base, "seed_dev_data")
    path = wheel_path(base)
    procs, urls = [], {}
    try:
        for counting in (True, False):
            label = "on" if counting else "off"
            log = str(WORK / "downloads.log") if counting else ""
            django = servers.start_gunicorn({**base, "DOWNLOAD_LOG_PATH": log}, WORKERS, name=f"gunicorn-{label}")
            accel = servers.start_gunicorn(
                {**base, "FILE_DELIVERY": "x-accel-redirect", "EDGE_CACHE_SECONDS": "3600", "DOWNLOAD_LOG_PATH": ""},
                WORKERS,
                name=f"gunicorn-accel-{label}",
            )
            front = nginx_front(f"nginx-downloads-{label}", accel.url, base, counting)
            procs += [django, accel, front]
            urls[f"gunicorn alone, counting {label}"] = django.url + path
            urls[f"production layout, counting {label}"] = front.url + path
        results = measure.interleaved_wrk(urls, rounds=args.rounds)
    finally:
        for proc in procs:
            proc.stop()
    print("| Layout | Counting | req/s | p50 (ms) | p99 (ms) |\n|---|---|---:|---:|---:|")
    for name, result in results.items():
        layout, _, counting = name.rpartition(", counting ")
        print(f"| {layout} | {counting} | {result['rps']:.0f} | {result['p50']:.2f} | {result['p99']:.2f} |")
    for layout in ("gunicorn alone", "production layout"):
        ratio = results[f"{layout}, counting on"]["rps"] / results[f"{layout}, counting off"]["rps"]
        print(f"{layout}: counting on / off = {ratio:.3f} (target: within 5%)")
    (servers.WORK / "downloads.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
