"""The distributions every server receives: the same ~900 real files for each.

- `bigproj`: 300 releases, a wheel and an sdist each (600 files)
- `smallproj`: one release (2 files)
- `chain-0` .. `chain-9`: chain-N requires chain-(N+1) (20 files)
- `wide-0` .. `wide-9` (bench/proxy.py only): wide-0 requires the nine others, which require nothing
- `filler-000` .. : one release each, to reach 900 files in all
- `hugepkg`: one ~100 MiB wheel (for peak memory while receiving it), uploaded on its own
"""

import base64
import hashlib
import os
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devtools.dists import core_metadata, write_dists

BIG = "bigproj"
SMALL = "smallproj"
CHAIN = [f"chain-{i}" for i in range(10)]
WIDE = [f"wide-{i}" for i in range(10)]
TOTAL_FILES = 900
HUGE_BYTES = 100 * 1024 * 1024 - 256 * 1024  # just under the default 100 MiB upload limit


def build(directory: Path) -> dict:
    """Write the files once (kept between runs); return {"main": [paths], "huge": path}."""
    directory = Path(directory)
    done = directory / ".complete"
    main = directory / "main"
    if not done.exists():
        main.mkdir(parents=True, exist_ok=True)
        for minor in range(300):
            write_dists(main, BIG, f"1.{minor}.0", requires_python=">=3.8", summary="The big project")
        write_dists(main, SMALL, "1.0.0", summary="The small project")
        write_chain(main)
        filler = 0
        while len(list(main.iterdir())) < TOTAL_FILES:
            write_dists(main, f"filler-{filler:03d}", "1.0.0", summary=f"Filler project {filler}")
            filler += 1
        _huge_wheel(directory / "huge")
        done.write_text("ok")
    files = sorted(main.iterdir())
    return {"main": files, "huge": next((directory / "huge").iterdir())}


def write_chain(directory: Path):
    """chain-0 .. chain-9, a wheel and an sdist each: chain-N requires chain-(N+1)."""
    for i, name in enumerate(CHAIN):
        requires = (f"{CHAIN[i + 1]}>=1.0",) if i + 1 < len(CHAIN) else ()
        write_dists(directory, name, "1.0.0", requires_dist=requires, module=name.replace("-", "_"))
    return sorted(Path(directory).iterdir())


def write_wide(directory: Path):
    """wide-0 .. wide-9, a wheel and an sdist each: wide-0 requires the nine others."""
    for i, name in enumerate(WIDE):
        requires = tuple(f"{other}>=1.0" for other in WIDE[1:]) if i == 0 else ()
        write_dists(directory, name, "1.0.0", requires_dist=requires, module=name.replace("-", "_"))
    return sorted(Path(directory).iterdir())


def _record_line(path, digest, size):
    return f"{path},sha256={base64.urlsafe_b64encode(digest).rstrip(b'=').decode()},{size}"


def _huge_wheel(directory: Path):
    """A valid wheel whose payload is ~100 MiB of incompressible bytes (stored, not deflated)."""
    directory.mkdir(parents=True, exist_ok=True)
    name, version = "hugepkg", "1.0.0"
    dist_info = f"{name}-{version}.dist-info"
    path = directory / f"{name}-{version}-py3-none-any.whl"
    records = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        small = {
            f"{name}/__init__.py": f'__version__ = "{version}"\n'.encode(),
            f"{dist_info}/METADATA": core_metadata(name, version).encode(),
            f"{dist_info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        }
        for member, data in small.items():
            archive.writestr(member, data)
            records.append(_record_line(member, hashlib.sha256(data).digest(), len(data)))
        digest = hashlib.sha256()
        with archive.open(f"{name}/payload.bin", "w", force_zip64=True) as out:
            left = HUGE_BYTES
            while left:
                chunk = os.urandom(min(left, 1024 * 1024))
                digest.update(chunk)
                out.write(chunk)
                left -= len(chunk)
        records.append(_record_line(f"{name}/payload.bin", digest.digest(), HUGE_BYTES))
        records.append(f"{dist_info}/RECORD,,")
        archive.writestr(f"{dist_info}/RECORD", "\n".join(records) + "\n")
    return path
