"""The measurements: wrk load, pip/uv installs, twine uploads and peak server memory."""

import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devtools.testing.clients import clean_env, pip_command, twine_command, uv_command

WRK_SECONDS = 10
WRK_CONNECTIONS = 32
# Install times vary by tens of ms from run to run on a shared machine: medians of this many.
INSTALL_ROUNDS = 7
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(url, connections=WRK_CONNECTIONS, seconds=WRK_SECONDS, headers=()):
    """{"rps", "p50", "p99", "errors"} of a bounded wrk run against a loopback URL."""
    assert url.startswith("http://127.0.0.1:"), "load stays on loopback"
    threads = min(2, connections)
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency"]
    for header in headers:
        cmd += ["-H", header]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for pct in ("50", "99"):
        result[f"p{pct}"] = _ms(re.search(rf"^\s+{pct}(?:\.0+)?%\s+(\S+)", out, re.M).group(1))
    errors = 0
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += int(m.group(1)) + int(m.group(3)) + int(m.group(4))
    result["errors"] = errors
    return result


def interleaved_wrk(urls, rounds=3):
    """{name: {"rps", "p50", "p99"}}: medians of `rounds` wrk runs per URL, taken in turns so
    that a slow spell of the machine lands on every server, not on one."""
    runs = {name: [] for name in urls}
    for _ in range(rounds):
        for name, url in urls.items():
            runs[name].append(wrk(url))
    return {
        name: {key: statistics.median(r[key] for r in rs) for key in ("rps", "p50", "p99")} for name, rs in runs.items()
    }


def install_rounds(indexes, requirement, runs=INSTALL_ROUNDS):
    """{name: {"pip": s, "uv": s}}: medians, with the servers interleaved in each round so a
    burst of load elsewhere on the machine does not land on one server only, and their order
    rotated from round to round so that none always runs first (or right after the other tool)."""
    times = {name: {"pip": [], "uv": []} for name in indexes}
    names = list(indexes)
    for number in range(runs):
        turn = names[number % len(names) :] + names[: number % len(names)]
        for tool in ("pip", "uv"):
            for name in turn:
                times[name][tool].append(install_seconds(tool, indexes[name], requirement, runs=1))
    return {name: {tool: statistics.median(v) for tool, v in tools.items()} for name, tools in times.items()}


def install_seconds(tool, index_url, requirement, runs=3):
    """Median wall time of a cache-less install of `requirement` (and its chain) into a fresh target."""
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as target:
            if tool == "pip":
                cmd = pip_command(index_url, [requirement], target, extra=["--no-compile"])
            else:
                cmd = uv_command(index_url, [requirement], target)
            start = time.perf_counter()
            result = subprocess.run(cmd, capture_output=True, text=True, env=clean_env(), timeout=300)
            elapsed = time.perf_counter() - start
            prefix = requirement.split("-")[0] + "_"  # chain_0 … chain_9, wide_0 … wide_9
            installed = len([p for p in Path(target).iterdir() if p.name.startswith(prefix)])
            if result.returncode != 0 or installed < 10:
                raise RuntimeError(f"{tool} install from {index_url} failed:\n{result.stdout}\n{result.stderr}")
            times.append(elapsed)
    return statistics.median(times)


def twine_upload(repository_url, username, password, files, timeout=1800):
    cmd = twine_command(repository_url, password, files, username)
    start = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, env=clean_env(), timeout=timeout)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(
            f"twine upload to {repository_url} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return elapsed


def _tree(pid):
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(children.get(current, []))
    return out


def tree_rss_mib(pid):
    total = 0
    for p in _tree(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def peak_rss_during(pid, action):
    """(baseline MiB, peak MiB) of the process tree under `pid` while `action()` runs."""
    baseline = tree_rss_mib(pid)
    peak = [baseline]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], tree_rss_mib(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        action()
    finally:
        stop.set()
        sampler.join()
    return baseline, peak[0]
