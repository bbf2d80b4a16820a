"""The upstream proxy against devpi-server's mirror, on the 10-package chain (issue 18).

    .venv/bin/python bench/proxy.py [--rounds 5] [--no-write]

The upstream is another instance of this index (gunicorn) holding chain-0 … chain-9 as local
projects (PEP 691 pages, PEP 658 metadata files, like pypi.org). Installed with pip and uv (no
client cache, fresh target) of `chain-0`, which pulls in the other nine:

- through this index as a proxy of that upstream (UPSTREAM_INDEX_URL), cold: database rows and
  storage emptied and the workers restarted (then each sent a request that asks no upstream, so
  Django's own start-up is not counted), nothing cached; then warm: everything cached;
- through devpi-server's mirror index of the same upstream (`type=mirror`), cold (a fresh
  serverdir, restarted) and warm;
- from the upstream directly, which is also this index serving the same packages as local
  projects: the figure "warm" is held to.

Then, with the upstream made distant (bench/relay.py: DISTANT_RTT_MS of round trip), cold
installs of the chain and of `wide-0` (which requires nine leaf projects) through this index and
devpi, in turns.

Both instances of this index run as in production: gunicorn behind nginx (bench/proxy.py's
Front, a minimal deploy/nginx.conf), which keeps the clients' connections alive; devpi is its
own server, which does too. Cold rounds reset both proxies before every install and alternate them; warm rounds are
interleaved (measure.install_rounds), medians throughout. Same gunicorn settings for the proxy
and the upstream (sync workers = CPUs, local-memory cache, FILE_DELIVERY=django). Writes the
"Upstream proxy" section of bench/RESULTS.md; raw figures in bench/.work/proxy.json.
"""

import argparse
import json
import re
import shutil
import statistics
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dataset
import measure
import servers
from relay import Relay
from run import database_url
from servers import WORK

PROXY_COLD, PROXY_WARM = "this index as a proxy, cold", "this index as a proxy, warm"
DEVPI_COLD, DEVPI_WARM = "devpi-server mirror, cold", "devpi-server mirror, warm"
LOCAL = "upstream directly (this index, the chain as local projects)"
TOOLS = ("pip", "uv")
# The distant upstream's round trip (bench/relay.py), and the sets installed through it.
DISTANT_RTT_MS = 30
DISTANT_SETS = {"chain": dataset.CHAIN[0], "wide": dataset.WIDE[0]}


def log(*args):
    print(time.strftime("%H:%M:%S"), *args, file=sys.stderr, flush=True)


class Front:
    """nginx in front of one gunicorn, as deploy/nginx.conf puts it: it keeps the clients'
    connections alive (a sync worker closes each after one answer). Its port stays the same when
    the app behind it is restarted on another."""

    def __init__(self, name):
        self.name, self.port, self.proc = name, servers.free_port(), None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self, app_url):
        self.stop()
        conf = servers.FRONT_CONF.format(workers=1, prefix=WORK / self.name, port=self.port, app=app_url)
        self.proc = servers._start_nginx(self.name, conf)
        servers._ready(self.proc, self.url + "/simple/readiness-probe/")
        return self.url

    def stop(self):
        if self.proc is not None:
            self.proc.stop()
            self.proc = None


def start_upstream(workers):
    var = WORK / "proxy-upstream"
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    db_url, db_name = database_url("pypiapp_proxy_upstream", var)
    env = servers.app_env(db_url, var)
    servers.manage(env, "migrate", "--run-syncdb", "--noinput")
    servers.manage(env, "create_user", "bench", "--email", "bench@example.com", "--password", "bench-password-123")
    token = servers.manage(env, "create_token", "bench").stdout.strip().splitlines()[-1]
    app = servers.start_gunicorn(env, workers, name="gunicorn-upstream")
    dists = dataset.write_chain(_fresh(WORK / "proxy-dists"))
    dists += dataset.write_wide(_fresh(WORK / "proxy-dists-wide"))
    measure.twine_upload(app.url + "/legacy/", "__token__", token, dists)
    app.front = Front("nginx-upstream")
    app.front.start(app.url)
    return app, db_name


def _fresh(directory):
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    return directory


def _warm_workers(url, requests=8):
    """Requests in parallel that reach every worker (nothing upstream): a restarted worker's first
    request sets Django up lazily, which is start-up, not the cold cache being measured."""
    with ThreadPoolExecutor(requests) as pool:
        list(pool.map(lambda _: urllib.request.urlopen(url, timeout=30).read(), range(requests)))


class Proxy:
    """This index with the upstream configured; reset() makes it cold (no page or file cached)."""

    def __init__(self, upstream_url, workers, name="proxy"):
        self.var = _fresh(WORK / f"{name}-index")
        db_url, _ = database_url(f"pypiapp_{name}", self.var)
        self.env = servers.app_env(
            db_url,
            self.var,
            UPSTREAM_INDEX_URL=upstream_url + "/simple/",
            UPSTREAM_LOOKUP_RATE="1000000/m",
        )
        servers.manage(self.env, "migrate", "--run-syncdb", "--noinput")
        self.workers, self.app, self.front = workers, None, Front(f"nginx-{name}")

    def reset(self):
        self.stop()
        servers.manage(
            self.env,
            "shell",
            "-c",
            "from upstream.models import UpstreamFile, UpstreamProject; "
            "UpstreamFile.objects.all().delete(); UpstreamProject.objects.all().delete()",
        )
        shutil.rmtree(self.var / "packages" / "upstream", ignore_errors=True)
        self.app = servers.start_gunicorn(self.env, self.workers, name="gunicorn-proxy")
        self.front.start(self.app.url)
        _warm_workers(self.front.url + "/simple/")
        return self.front.url + "/simple/"

    def cached(self):
        out = servers.manage(
            self.env,
            "shell",
            "-c",
            "from upstream.models import UpstreamFile; print(UpstreamFile.objects.count())",
        )
        return int(out.stdout.strip().splitlines()[-1])

    def stop(self):
        self.front.stop()
        if self.app is not None:
            self.app.stop()
            self.app = None


class Devpi:
    def __init__(self, upstream_url):
        self.upstream_url, self.proc = upstream_url + "/simple/", None

    def reset(self):
        self.stop()
        self.proc = servers.start_devpi(WORK / "devpi-mirror", WORK / "devpi-mirror-client", self.upstream_url)
        return self.proc.simple

    def stop(self):
        if self.proc is not None:
            self.proc.stop()
            self.proc = None


def cold_rounds(proxy, devpi, rounds, requirement=dataset.CHAIN[0]):
    """{name: {tool: median seconds}} of installs of `requirement` right after a reset, the two
    in turns (which goes first alternates from round to round)."""
    times = {PROXY_COLD: {t: [] for t in TOOLS}, DEVPI_COLD: {t: [] for t in TOOLS}}
    servers_in_turn = [(PROXY_COLD, proxy), (DEVPI_COLD, devpi)]
    for number in range(rounds):
        for tool in TOOLS:
            for name, server in servers_in_turn[number % 2 :] + servers_in_turn[: number % 2]:
                for _, other in servers_in_turn:
                    if other is not server:
                        other.stop()  # alone on the machine with the upstream (devpi works on after its start)
                url = server.reset()
                seconds = measure.install_seconds(tool, url, requirement, runs=1)
                times[name][tool].append(seconds)
                log(f"round {number + 1}: {name}, {tool}, {requirement}: {seconds:.2f}s")
    return {name: {t: statistics.median(v) for t, v in tools.items()} for name, tools in times.items()}


def distant_rounds(upstream, workers, rounds, running):
    """{set: {name: {tool: median seconds}}}: cold installs of the chain and of the wide set with
    the upstream DISTANT_RTT_MS away (bench/relay.py), this index and devpi in turns."""
    relay = Relay(upstream.front.port, DISTANT_RTT_MS)
    proxy, devpi = Proxy(relay.url, workers, name="proxy-distant"), Devpi(relay.url)
    running += [relay, proxy, devpi]
    log(f"distant rounds: the upstream {DISTANT_RTT_MS} ms away")
    return {name: cold_rounds(proxy, devpi, rounds, requirement) for name, requirement in DISTANT_SETS.items()}


def _distant_lines(results):
    distant = results.get("distant")
    if not distant:
        return []
    lines = [
        "",
        f"**A distant upstream.** The same, cold, with the upstream {DISTANT_RTT_MS} ms away (`bench/relay.py`: "
        "a new connection waits one round trip, every answer one more), as an index across the internet; "
        "`chain` is the chain above, `wide` is `wide-0`, which requires nine projects that require nothing "
        f"(most projects' shape). Median of {results['distant_rounds']} each, the two in turns.",
        "",
        "| cold install, distant upstream | "
        + " | ".join(f"{tool} {name} s" for name in distant for tool in TOOLS)
        + " |",
        "|---|" + "---:|" * (len(distant) * len(TOOLS)),
    ]
    for server in (PROXY_COLD, DEVPI_COLD):
        cells = [f"{distant[name][server][tool]:.2f}" for name in distant for tool in TOOLS]
        lines.append(f"| {server.removesuffix(', cold')} | " + " | ".join(cells) + " |")
    ratios = [
        f"{distant[name][PROXY_COLD][tool] / distant[name][DEVPI_COLD][tool]:.2f}×"
        for name in distant
        for tool in TOOLS
    ]
    lines.append("| this index ÷ devpi | " + " | ".join(ratios) + " |")
    return lines


def render(results):
    installs = results["installs"]
    lines = [
        "## Upstream proxy (bench/proxy.py)",
        "",
        f"Produced by `bench/proxy.py` (part of `make bench`). The upstream is another instance of this index "
        f"holding the 10-package chain as local projects; pip and uv install `chain-0` (and so the other nine: "
        f"10 wheels) with no client cache into a fresh target. Cold: the proxy's database rows and storage emptied "
        f"and its workers restarted (devpi: a fresh serverdir), before every install, the two in turns, median of "
        f"{results['rounds']}; warm: median of {results['rounds']} interleaved rounds once everything is "
        f"cached. This index: gunicorn, {results['workers']} sync workers behind nginx (which keeps clients' "
        f"connections alive, as deploy/nginx.conf does), {results['database']}, local-memory cache, for the "
        f"proxy and the upstream alike; devpi-server 6.20.3 (its own server) with a `type=mirror` index.",
        "",
        "| install of the chain | pip s | uv s |",
        "|---|---:|---:|",
    ]
    for name in (PROXY_COLD, DEVPI_COLD, PROXY_WARM, DEVPI_WARM, LOCAL):
        row = installs[name]
        lines.append(f"| {name} | {row['pip']:.2f} | {row['uv']:.2f} |")
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    for tool in TOOLS:
        cold, devpi = installs[PROXY_COLD][tool], installs[DEVPI_COLD][tool]
        lines.append(
            f"| {tool}: cold no slower than devpi cold | {cold:.2f} s vs {devpi:.2f} s ({cold / devpi:.2f}×) | "
            f"{'yes' if cold <= devpi else 'no'} |"
        )
    for tool in TOOLS:
        warm, local = installs[PROXY_WARM][tool], installs[LOCAL][tool]
        lines.append(
            f"| {tool}: warm within 10% of local | {warm:.2f} s vs {local:.2f} s ({warm / local:.2f}×) | "
            f"{'yes' if warm <= 1.1 * local else 'no'} |"
        )
    lines += [
        "",
        f"Files cached by the proxy after the cold rounds: {results['cached_files']}. On the shared 2-CPU machine "
        "these medians move by 10-20% from run to run (a target met in one run can be missed in the next); "
        "per request, the server-side difference between the warm proxy and local projects is about 0.3 ms.",
    ]
    lines += _distant_lines(results)
    return "\n".join(lines) + "\n"


def write_section(text):
    path = servers.BENCH / "RESULTS.md"
    current = path.read_text() if path.exists() else "# Benchmark results\n"
    current = re.sub(r"\n## Upstream proxy.*?(?=\n## |\Z)", "\n", current, flags=re.S).rstrip("\n")
    path.write_text(current + "\n\n" + text)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=9, help="cold (and warm) installs per tool and server")
    parser.add_argument(
        "--distant-rounds", type=int, default=5, help=f"cold installs through a {DISTANT_RTT_MS} ms relay (0: none)"
    )
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    servers.ensure_tools()
    workers = 2
    running = []
    try:
        upstream, db_name = start_upstream(workers)
        running += [upstream, upstream.front]
        proxy, devpi = Proxy(upstream.front.url, workers), Devpi(upstream.front.url)
        running += [proxy, devpi]
        results = {
            "rounds": args.rounds,
            "workers": workers,
            "database": db_name,
            "distant_rounds": args.distant_rounds,
        }
        results["installs"] = cold_rounds(proxy, devpi, args.rounds)
        results["cached_files"] = proxy.cached()
        for server in (proxy, devpi):  # both running (each cold install ran alone), filled once
            measure.install_seconds("pip", server.reset(), dataset.CHAIN[0], runs=1)
        log("warm rounds")
        warm = measure.install_rounds(
            {
                PROXY_WARM: proxy.front.url + "/simple/",
                DEVPI_WARM: devpi.proc.simple,
                LOCAL: upstream.front.url + "/simple/",
            },
            dataset.CHAIN[0],
            runs=args.rounds,
        )
        results["installs"].update(warm)
        if args.distant_rounds:
            for item in (proxy, devpi):
                item.stop()  # their CPU back to the distant rounds
            results["distant"] = distant_rounds(upstream, workers, args.distant_rounds, running)
        (WORK / "proxy.json").write_text(json.dumps(results, indent=2))
    finally:
        for item in reversed(running):
            item.stop()
    text = render(results)
    print(text)
    if not args.no_write:
        write_section(text)


if __name__ == "__main__":
    main()
