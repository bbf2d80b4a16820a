"""Support for the bandersnatch mirror test: bandersnatch itself and its configuration.

bandersnatch insists on an https:// master: the test serves the app with
devtools.testing.servers.AppServer over TLS (a throwaway CA). bandersnatch 8.2 needs Python >= 3.12 and pins its own dependencies, so it
lives in a separate virtualenv that is created on first use and kept under var/tools/.
"""

import glob
import os
import shutil
import subprocess
import time
from pathlib import Path

from django.conf import settings

BANDERSNATCH_VERSION = "8.2.0"


def _is_py312(python):
    try:
        out = subprocess.run(
            [python, "-c", "import sys; print(sys.version_info >= (3, 12))"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0 and out.stdout.strip() == "True"


def find_python312():
    """A Python >= 3.12 on this machine (pyenv keeps several next to the 3.11 the project uses)."""
    candidates = [shutil.which(n) for n in ("python3.13", "python3.12", "python3")]
    pyenv_root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates += sorted(glob.glob(f"{pyenv_root}/versions/3.1[2-9]*/bin/python3"), reverse=True)
    candidates += sorted(
        glob.glob("/usr/bin/python3.1[2-9]") + glob.glob("/usr/local/bin/python3.1[2-9]"), reverse=True
    )
    return next((c for c in candidates if c and _is_py312(c)), None)


def bandersnatch_executable():
    """Path of the bandersnatch command, installing it into its own venv when missing.

    Returns (path, seconds spent installing) or (None, reason) when no Python >= 3.12 exists.
    """
    venv = Path(settings.BASE_DIR) / "var" / "tools" / f"bandersnatch-{BANDERSNATCH_VERSION}-venv"
    exe = venv / "bin" / "bandersnatch"
    if exe.exists() and subprocess.run([str(exe), "--version"], capture_output=True).returncode == 0:
        return exe, 0.0
    python = find_python312()
    if python is None:
        return None, "bandersnatch 8.2 needs Python >= 3.12 and none was found"
    started = time.monotonic()
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([python, "-m", "venv", str(venv)], check=True, timeout=300)
    result = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            f"bandersnatch=={BANDERSNATCH_VERSION}",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        raise RuntimeError(f"installing bandersnatch failed:\n{result.stdout}\n{result.stderr}")
    return exe, time.monotonic() - started


def bandersnatch_config(path: Path, master: str, mirror_dir: Path, diff_file: Path):
    path.write_text(
        "[mirror]\n"
        f"directory = {mirror_dir}\n"
        f"master = {master}\n"
        "json = true\n"
        "release-files = true\n"
        "core-metadata = true\n"
        "simple-format = ALL\n"
        "timeout = 30\n"
        "global-timeout = 600\n"
        "workers = 2\n"
        "hash-index = false\n"
        "stop-on-error = true\n"
        f"diff-file = {diff_file}\n"
        "\n[plugins]\nenabled =\n"
    )
    return path
