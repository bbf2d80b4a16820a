"""Shared builders for the upload tests (the `ctx` fixture is in the root conftest.py).

Distributions are built in-process, including broken and hostile ones, so each test states
exactly which byte it breaks.
"""

import base64
import hashlib
import io
import tarfile
import warnings
import zipfile
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from devtools.dists import core_metadata, dist_name
from devtools.testing.uploads import legacy_form, token_auth
from packages import digests
from packages.models import File, FilenameLog, JournalEntry, Project, Release

EXISTING = "existing-pkg"


def _record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def wheel(
    name=EXISTING,
    version="2.0",
    *,
    tag="py3-none-any",
    metadata=None,
    extra=(),
    drop=(),
    record=True,
    wheel_file=None,
    duplicate=None,
    meta_kwargs=None,
    unrecorded=(),
    record_edit=None,
):
    """(filename, bytes) of a wheel; `extra` adds (path, bytes) members (listed in RECORD when
    record=True), `unrecorded` adds members missing from RECORD, `record_edit(text)` rewrites RECORD,
    `drop` removes members, `duplicate` writes one member name twice."""
    dist = dist_name(name)
    info = f"{dist}-{version}.dist-info"
    members = {
        f"{dist}/__init__.py": f'__version__ = "{version}"\n'.encode(),
        f"{info}/METADATA": (metadata or core_metadata(name, version, **(meta_kwargs or {}))).encode(),
        f"{info}/WHEEL": (
            wheel_file or f"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: {tag}\n"
        ).encode(),
    }
    members.update(dict(extra))
    for path in drop:
        members.pop(path.format(info=info, dist=dist), None)
    if record and f"{info}/RECORD" not in [p.format(info=info, dist=dist) for p in drop]:
        lines = [_record_line(p, d) for p, d in members.items()] + [f"{info}/RECORD,,"]
        text = "\n".join(lines) + "\n"
        members[f"{info}/RECORD"] = (record_edit(text) if record_edit else text).encode()
    members.update(dict(unrecorded))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path, data in members.items():
            archive.writestr(path, data, compress_type=zipfile.ZIP_DEFLATED)
        if duplicate:
            archive.writestr(duplicate, b"# other\n")
    return f"{dist}-{version}-{tag}.whl", buffer.getvalue()


def sdist(name=EXISTING, version="2.0", *, top=None, metadata=None, extra=(), drop_pkg_info=False, filename=None):
    """(filename, bytes) of a gzip tar sdist; `extra` adds TarInfo-or-(path, bytes) members."""
    dist = dist_name(name)
    top = top or f"{dist}-{version}"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        members = [] if drop_pkg_info else [(f"{top}/PKG-INFO", (metadata or core_metadata(name, version)).encode())]
        members += [(f"{top}/{dist}/__init__.py", b"__version__ = '0'\n"), *extra]
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                archive.addfile(member)
                continue
            path, data = member
            info = tarfile.TarInfo(path)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return filename or f"{dist}-{version}.tar.gz", buffer.getvalue()


def tar_link(path, target, kind=tarfile.SYMTYPE):
    info = tarfile.TarInfo(path)
    info.type = kind
    info.linkname = target
    return info


@lru_cache(maxsize=None)
def zip_bomb():
    """A wheel whose one member expands 70 MiB of zeros from well under 1 MiB."""
    return wheel(extra=[("existing_pkg/zeros.bin", b"\0" * (70 * 1024 * 1024))])


@lru_cache(maxsize=None)
def tar_bomb():
    return sdist(extra=[("existing_pkg-2.0/zeros.bin", b"\0" * (70 * 1024 * 1024))])


def digests_of(data):
    """The digest fields twine sends for `data` (md5_digest, sha256_digest, blake2_256_digest)."""
    return {f"{key}_digest": value for key, value in digests.digests_of(data).items()}


def form_for(filename, data, *, name=EXISTING, version="2.0", **fields):
    """The multipart form twine sends (devtools/testing/uploads.py); `fields` override or (with
    value None) drop entries."""
    return legacy_form(filename, data, name=name, version=version, **fields)


def auth(token):
    return token_auth(token)


def post(client, token, filename, data, *, headers=None, **fields):
    extra = {"HTTP_AUTHORIZATION": auth(token)} if token else {}
    extra.update(headers or {})
    return client.post("/legacy/", form_for(filename, data, **fields), **extra)


def stored_files():
    root = Path(settings.STORAGES["packages"]["OPTIONS"]["location"])
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def snapshot():
    return {
        "files": File.objects.count(),
        "releases": Release.objects.count(),
        "projects": Project.objects.count(),
        "journal": JournalEntry.objects.count(),
        "filenames": FilenameLog.objects.count(),
        "stored": stored_files(),
    }
