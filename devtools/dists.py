"""Build tiny but real wheels and sdists in-process (zipfile/tarfile, no build backend)."""

import base64
import hashlib
import io
import tarfile
import time
import zipfile
from pathlib import Path

from packaging.utils import canonicalize_name


def dist_name(name):
    """The name as it appears in filenames: normalized, with underscores (PEP 491/625)."""
    return canonicalize_name(name).replace("-", "_")


def core_metadata(
    name,
    version,
    *,
    summary="A tiny test package",
    requires_python=None,
    requires_dist=(),
    description="",
    content_type="text/markdown",
    extra_headers=(),
) -> str:
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}", f"Summary: {summary}"]
    if requires_python:
        lines.append(f"Requires-Python: {requires_python}")
    lines.extend(f"Requires-Dist: {req}" for req in requires_dist)
    lines.extend(f"{key}: {value}" for key, value in extra_headers)
    if description:
        lines.append(f"Description-Content-Type: {content_type}")
    text = "\n".join(lines) + "\n"
    return text + ("\n" + description if description else "")


def _record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def wheel_bytes(name, version, *, tag="py3-none-any", module=None, metadata=None, **meta_kwargs) -> tuple[str, bytes]:
    """Return (filename, bytes) of a wheel whose package `module` has __version__."""
    dist = dist_name(name)
    module = module or dist
    dist_info = f"{dist}-{version}.dist-info"
    members = {
        f"{module}/__init__.py": f'__version__ = "{version}"\n'.encode(),
        f"{dist_info}/METADATA": (metadata or core_metadata(name, version, **meta_kwargs)).encode(),
        f"{dist_info}/WHEEL": f"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: {tag}\n".encode(),
    }
    record = [_record_line(path, data) for path, data in members.items()] + [f"{dist_info}/RECORD,,"]
    members[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in members.items():
            archive.writestr(zipfile.ZipInfo(path, date_time=(2024, 1, 1, 0, 0, 0)), data)
    return f"{dist}-{version}-{tag}.whl", buffer.getvalue()


def sdist_bytes(name, version, *, module=None, metadata=None, **meta_kwargs) -> tuple[str, bytes]:
    """Return (filename, bytes) of a PEP 625 sdist with PKG-INFO and a pyproject.toml."""
    dist = dist_name(name)
    module = module or dist
    top = f"{dist}-{version}"
    pkg_info = (metadata or core_metadata(name, version, **meta_kwargs)).encode()
    pyproject = (
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n'
        f'[project]\nname = "{name}"\nversion = "{version}"\n'
    ).encode()
    members = {
        f"{top}/PKG-INFO": pkg_info,
        f"{top}/pyproject.toml": pyproject,
        f"{top}/{module}/__init__.py": f'__version__ = "{version}"\n'.encode(),
    }
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path, data in members.items():
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mtime = int(time.time())
            archive.addfile(info, io.BytesIO(data))
    return f"{top}.tar.gz", buffer.getvalue()


def write_dists(directory, name, version, kinds=("wheel", "sdist"), **kwargs) -> list[Path]:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for kind in kinds:
        filename, data = (wheel_bytes if kind == "wheel" else sdist_bytes)(name, version, **kwargs)
        path = directory / filename
        path.write_bytes(data)
        paths.append(path)
    return paths
