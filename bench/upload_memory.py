"""Peak memory of the server while it receives a 100 MiB upload, against its idle level.

Starts gunicorn (one sync worker; or `--server runserver`) on a throw-away SQLite database and
package folder, creates an uploader and token, warms the worker up with a small upload, then
streams a valid ~100 MiB wheel to /legacy/ and reads the worker's peak resident set (VmHWM from
/proc, reset with clear_refs just before). The upload path streams the body to a temporary
file, so the target is a peak within 50 MiB of idle. With --limit-mib below --size-mib it
measures the 413 cut-off instead (the rest of the body is dropped or drained in chunks).

    .venv/bin/python bench/upload_memory.py [--server gunicorn|runserver] [--size-mib 100]
        [--limit-mib 40] [--port 8103]
"""

import argparse
import hashlib
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import requests
from requests_toolbelt.multipart.encoder import MultipartEncoder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devtools.dists import core_metadata, dist_name

PYTHON = sys.executable
NAME = "memory-bench"


def build_wheel(directory, version, payload_bytes):
    """A valid wheel (RECORD hashes and all) whose one data member is incompressible noise."""
    dist = dist_name(NAME)
    info = f"{dist}-{version}.dist-info"
    path = Path(directory) / f"{dist}-{version}-py3-none-any.whl"
    rng = random.Random(version)
    record = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        digest = hashlib.sha256()
        with archive.open(f"{dist}/noise.bin", "w", force_zip64=True) as member:
            left = payload_bytes
            while left:
                chunk = rng.randbytes(min(left, 1 << 20))
                member.write(chunk)
                digest.update(chunk)
                left -= len(chunk)
        record.append(f"{dist}/noise.bin,sha256={_b64(digest.digest())},{payload_bytes}")
        for member_path, data in (
            (f"{dist}/__init__.py", b"__version__ = '0'\n"),
            (f"{info}/METADATA", core_metadata(NAME, version).encode()),
            (f"{info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
        ):
            archive.writestr(member_path, data)
            record.append(f"{member_path},sha256={_b64(hashlib.sha256(data).digest())},{len(data)}")
        record.append(f"{info}/RECORD,,")
        archive.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return path


def _b64(digest):
    import base64

    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def rss_kib(pid, field):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for {pid}")


def worker_pid(server):
    """The process that handles requests: gunicorn's single worker, or runserver's child."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return int(children[0]) if children else server.pid


def upload(url, token, path):
    data = path.read_bytes() if path.stat().st_size < (1 << 20) else None
    sha256 = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            sha256.update(chunk)
    with open(path, "rb") as f:
        fields = {
            ":action": "file_upload",
            "protocol_version": "1",
            "metadata_version": "2.1",
            "name": NAME,
            "version": path.name.split("-")[1],
            "filetype": "bdist_wheel",
            "pyversion": "py3",
            "summary": "A tiny test package",
            "sha256_digest": sha256.hexdigest(),
            "content": (path.name, f if data is None else data, "application/octet-stream"),
        }
        encoder = MultipartEncoder(fields=fields)  # streams the file from disk
        started = time.monotonic()
        response = requests.post(
            url, data=encoder, headers={"Content-Type": encoder.content_type}, auth=("__token__", token), timeout=600
        )
        return response, time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", choices=["gunicorn", "runserver"], default="gunicorn")
    parser.add_argument("--size-mib", type=float, default=100)
    parser.add_argument("--port", type=int, default=8103)
    parser.add_argument(
        "--limit-mib",
        type=float,
        default=None,
        help="per-file limit; below --size-mib it measures the 413 cut-off instead",
    )
    args = parser.parse_args()
    limit_mib = args.limit_mib or args.size_mib + 1

    with tempfile.TemporaryDirectory(prefix="upload-memory-") as tmp:
        # Tables straight from the current models (syncdb), so the bench runs whatever state the
        # migration files are in.
        Path(tmp, "bench_settings.py").write_text(
            "from pypiapp.settings import *\n"
            "MIGRATION_MODULES = {app.rsplit('.', 1)[-1]: None for app in INSTALLED_APPS}\n"
        )
        env = dict(
            os.environ,
            PYPIAPP_VAR_DIR=tmp,
            DJANGO_SETTINGS_MODULE="bench_settings",
            PYTHONPATH=os.pathsep.join([tmp, str(ROOT)]),
            UPLOAD_MAX_FILE_SIZE=str(int(limit_mib * 1024 * 1024)),
            FILE_UPLOAD_TEMP_DIR=tmp,
        )
        env.pop("DATABASE_URL", None)
        manage = [PYTHON, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "--run-syncdb", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
        subprocess.run(
            [*manage, "create_user", "bench", "--email", "bench@example.com", "--password", "bench-password-123"],
            env=env,
            check=True,
            cwd=ROOT,
            capture_output=True,
        )
        token = subprocess.run(
            [*manage, "create_token", "bench"], env=env, check=True, cwd=ROOT, capture_output=True, text=True
        ).stdout.split()[-1]
        small = build_wheel(tmp, "0.1", 1024)
        huge = build_wheel(tmp, "1.0", int(args.size_mib * 1024 * 1024) - 64 * 1024)
        size_mib = huge.stat().st_size / 1024 / 1024
        if args.server == "gunicorn":
            cmd = [
                str(Path(PYTHON).parent / "gunicorn"),
                "pypiapp.wsgi",
                "--workers",
                "1",
                "--worker-class",
                "sync",
                "--timeout",
                "600",
                "--bind",
                f"127.0.0.1:{args.port}",
            ]
        else:
            cmd = [*manage, "runserver", "--noreload", "--nothreading", f"127.0.0.1:{args.port}"]
        server = subprocess.Popen(
            cmd,
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=None if os.environ.get("BENCH_VERBOSE") else subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{args.port}/legacy/"
            for _ in range(100):
                try:
                    requests.get(url, timeout=30)
                    break
                except requests.RequestException:
                    time.sleep(0.2)
            response, _ = upload(url, token, small)  # warm-up: every module of the upload path is loaded
            assert response.status_code == 200, (response.status_code, response.reason)
            pid = worker_pid(server)
            time.sleep(0.5)
            idle = rss_kib(pid, "VmRSS")
            Path(f"/proc/{pid}/clear_refs").write_text("5")  # reset VmHWM to the current RSS
            try:
                response, seconds = upload(url, token, huge)
                outcome = f"{response.status_code} {response.reason}"
            except requests.ConnectionError as exc:  # a server may drop a huge over-limit body
                outcome, seconds = f"connection closed by the server ({exc.__class__.__name__})", float("nan")
            peak = rss_kib(pid, "VmHWM")
            expected = "200" if limit_mib > args.size_mib else "413"
            print(f"answer: {outcome} (expected {expected})")
        finally:
            server.terminate()
            server.wait(timeout=30)
    delta = (peak - idle) / 1024
    print(f"server: {args.server} (pid {pid}), upload {size_mib:.1f} MiB, limit {limit_mib:g} MiB, {seconds:.1f} s")
    print(f"idle RSS {idle / 1024:.1f} MiB, peak RSS (VmHWM) {peak / 1024:.1f} MiB, peak - idle {delta:.1f} MiB")
    ok = delta <= 50 and outcome.startswith(expected)
    print(
        ("PASS" if ok else "FAIL") + f": peak {'within' if delta <= 50 else 'more than'} 50 MiB of idle, "
        f"answer {'as' if outcome.startswith(expected) else 'NOT as'} expected"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
