"""Markdown tables from the benchmark's results dict."""

import os
import platform
import subprocess


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            mem = f"{int(f.readline().split()[1]) / 1024 / 1024:.1f} GiB RAM"
    except OSError:
        pass
    nginx = (
        subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip().replace("nginx version: ", "")
    )
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("[")[0].strip()
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {mem}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, {nginx}, {wrk}"
    )


def _ratio(value, other):
    if not other:
        return "–"
    ratio = value / other
    return f"{ratio:.1f}×" if ratio >= 0.1 else f"{ratio:.4f}×"


def load_table(load, pages, servers, peers, static="nginx static"):
    lines = [
        "| page | server | req/s | p50 ms | p99 ms | vs best peer | vs nginx static |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for page in pages:
        rows = load.get(page, {})
        best_peer = max((rows[p]["rps"] for p in peers if p in rows), default=0)
        nginx = rows.get(static, {}).get("rps", 0)
        for server in servers:
            if server not in rows:
                continue
            r = rows[server]
            errors = f" ({r['errors']} errors)" if r.get("errors") else ""
            lines.append(
                f"| `{page}` | {server} | {r['rps']:,.0f}{errors} | {r['p50']:.1f} | {r['p99']:.1f} | "
                f"{_ratio(r['rps'], best_peer) if server not in peers else '–'} | {_ratio(r['rps'], nginx)} |"
            )
    return "\n".join(lines)


def install_table(installs, servers):
    lines = ["| server | pip install (s) | uv pip install (s) |", "|---|---:|---:|"]
    for server in servers:
        if server in installs:
            r = installs[server]
            lines.append(f"| {server} | {r.get('pip', float('nan')):.2f} | {r.get('uv', float('nan')):.2f} |")
    return "\n".join(lines)


def upload_table(uploads, servers, files):
    lines = [
        f"| server | twine upload of {files} files (s, median) | rounds (s, in turns) | files/s | "
        "peak RSS receiving 100 MiB (MiB, baseline → peak) |",
        "|---|---:|---|---:|---|",
    ]
    for server in servers:
        if server in uploads:
            r = uploads[server]
            rounds = ", ".join(f"{t:.1f}" for t in r.get("rounds", [r["seconds"]]))
            lines.append(
                f"| {server} | {r['seconds']:.1f} | {rounds} | {files / r['seconds']:.1f} | "
                f"{r['rss_base']:.0f} → {r['rss_peak']:.0f} (+{r['rss_peak'] - r['rss_base']:.0f}) |"
            )
    return "\n".join(lines)


def scale_table(scale):
    lines = ["| URL | req/s | p50 ms | p99 ms | connections |", "|---|---:|---:|---:|---:|"]
    for label, r in scale["wrk"].items():
        lines.append(f"| `{label}` | {r['rps']:,.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['connections']} |")
    return "\n".join(lines)


def targets_table(r, ours, prod, peers, static, ceiling=None):
    """The issue's targets next to what this run measured."""
    load, up, inst = r["load"], r["uploads"], r["installs"]
    rows = []

    def add(target, measured, ok):
        rows.append(f"| {target} | {measured} | {'yes' if ok else '**no**'} |")

    big = load.get("big", {})
    best = max(big[p]["rps"] for p in peers if p in big)
    add(
        "600-file page, gunicorn alone: ≥ 20× the faster peer",
        f"{big[ours]['rps'] / best:.0f}×",
        big[ours]["rps"] >= 20 * best,
    )
    add("… p99 under 100 ms at 32 connections", f"{big[ours]['p99']:.0f} ms", big[ours]["p99"] < 100)
    if prod in big:
        pair = r.get("prod_vs_static")
        if pair:  # medians of runs taken in turns (bench/run.py)
            ratio = pair[prod]["rps"] / pair[static]["rps"]
            measured = (
                f"{ratio:.2f}× ({pair[prod]['rps']:,.0f} vs {pair[static]['rps']:,.0f} req/s, medians of "
                f"{r.get('prod_vs_static_rounds', 3)} runs each, in turns)"
            )
        else:
            ratio = big[prod]["rps"] / big[static]["rps"]
            measured = f"{ratio:.2f}×"
        add("production layout: ≥ ½ of nginx static on the same page", measured, ratio >= 0.5)
        fresh = r.get("freshness", {})
        ok = bool(fresh.get("yank_visible") and fresh.get("upload_visible_json"))
        add("… a yank and a new upload visible on the next request", "yes" if ok else "no", ok)
    if ours in up:
        rate = {name: 1 / v["seconds"] for name, v in up.items()}
        fast_peer = max(rate[p] for p in peers if p in rate)
        devpi = rate.get(peers[1], 0)
        add("upload: ≥ 5× devpi's rate", f"{rate[ours] / devpi:.1f}×", rate[ours] >= 5 * devpi)
        ratios = [a / b for a, b in zip(up[ours].get("rounds", []), up[peers[0]].get("rounds", []))]
        each = f" (round by round: {', '.join(f'{x:.2f}' for x in ratios)})" if len(ratios) > 1 else ""
        add(
            "upload: no slower than 1.5× pypiserver (medians)",
            f"{fast_peer / rate[ours]:.2f}× slower{each}",
            fast_peer / rate[ours] <= 1.5,
        )
    rounds = [(ours, inst, "gunicorn alone"), (prod, r.get("installs_prod", {}), "production layout")]
    for server, round_, label in rounds:
        if server not in round_:
            continue
        for tool in ("pip", "uv"):
            best_peer = min(round_[p][tool] for p in peers if p in round_)
            measured = f"{round_[server][tool]:.2f} s vs {best_peer:.2f} s"
            if ceiling in round_:
                measured += f" (nginx static ceiling: {round_[ceiling][tool]:.2f} s)"
            add(
                f"{tool} install, {label}: no slower than the fastest peer (5% noise margin)",
                measured,
                round_[server][tool] <= best_peer * 1.05,
            )
    if "scale" in r:
        w = r["scale"]["wrk"]
        for label, limit in ((f"/simple/{r.get('big_name', 'bigproj')}/ (c=32)", 50), ("/simple/ (c=32)", 300)):
            if label in w:
                add(
                    f"100k projects: warm p99 of `{label}` under {limit} ms",
                    f"{w[label]['p99']:.0f} ms",
                    w[label]["p99"] < limit,
                )
    return "\n".join(["| target | measured | met |", "|---|---|---|", *rows])
