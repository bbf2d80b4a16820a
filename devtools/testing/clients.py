"""Run the real clients (pip, uv, twine) against a server, isolated from the machine's config."""

import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def clean_env(**extra):
    """An environment with no pip/uv configuration that could satisfy installs elsewhere."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_", "TWINE_"))}
    env.update(PIP_CONFIG_FILE=os.devnull, UV_NO_CONFIG="1", PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONWARNINGS="ignore")
    env.update(extra)
    return env


def run(cmd, timeout=180, **kwargs):
    return subprocess.run(
        cmd, capture_output=True, text=True, timeout=timeout, env=kwargs.pop("env", clean_env()), **kwargs
    )


def twine_command(repository_url, password, files, username="__token__", extra=()):
    """`twine upload` of `files`, non-interactive, as the tests and bench/ run it."""
    return [
        sys.executable,
        "-m",
        "twine",
        "upload",
        "--non-interactive",
        "--disable-progress-bar",
        "--repository-url",
        repository_url,
        "-u",
        username,
        "-p",
        password,
        *extra,
        *map(str, files),
    ]


def twine_upload(repository_url, password, files, username="__token__", extra=()):
    return run(twine_command(repository_url, password, files, username, extra))


def pip_command(index_url, requirements, target, extra=()):
    """A cache-less `pip install` of `requirements` from `index_url` into `target`."""
    return [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--no-cache-dir",
        "--disable-pip-version-check",
        "--index-url",
        index_url,
        "--target",
        str(target),
        *extra,
        *requirements,
    ]


def uv_command(index_url, requirements, target, extra=()):
    """The same install with `uv pip install`."""
    return [
        str(BIN / "uv"),
        "pip",
        "install",
        "--no-cache",
        "--index-url",
        index_url,
        "--target",
        str(target),
        "--python",
        sys.executable,
        *extra,
        *requirements,
    ]


def pip_install(index_url, requirements, target, extra=(), env=None):
    return run(pip_command(index_url, requirements, target, extra), env=env or clean_env())


def uv_install(index_url, requirements, target, extra=(), env=None):
    return run(uv_command(index_url, requirements, target, extra), env=env or clean_env())


def import_version(target, module):
    """Import `module` from an install target in a fresh interpreter; return its __version__."""
    result = run(
        [sys.executable, "-c", f"import {module}; print({module}.__version__)"], env=clean_env(PYTHONPATH=str(target))
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()
