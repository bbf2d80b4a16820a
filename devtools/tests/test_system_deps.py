"""devtools/system-deps, as `make test` runs it on a machine where it may not install anything."""

import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "system-deps"


def test_without_root_it_names_the_missing_packages_in_one_line_and_stops(tmp_path):
    # A PATH with none of the probed commands, and an `id` that says we are not root.
    (tmp_path / "id").write_text("#!/bin/sh\necho 1000\n")
    (tmp_path / "id").chmod(0o755)
    result = subprocess.run(
        ["/bin/bash", str(SCRIPT)], env={"PATH": str(tmp_path)}, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("make test: missing Debian packages; run: sudo apt-get install ")
    for package in ("chromium", "nginx", "redis-server", "iproute2"):
        assert package in lines[0].split()
