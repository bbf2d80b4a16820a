"""Look inside the uploaded archive: layout, RECORD hashes, and core metadata that
agrees with the form. Returns the metadata bytes (served as the PEP 658 file for wheels)."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import zipfile
from email.parser import BytesHeaderParser
from types import SimpleNamespace
from typing import IO, TYPE_CHECKING

from packaging.metadata import RawMetadata, parse_email
from packaging.tags import parse_tag
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from . import archives
from .archives import bad
from .metadata import check_name_matches

if TYPE_CHECKING:
    from .form import UploadForm

MAX_METADATA_SIZE = 10 * 1024 * 1024
RECORD_HASHES = ("sha256", "sha384", "sha512")  # md5 and sha1 are not allowed in RECORD
UNHASHED = ("RECORD", "RECORD.jws", "RECORD.p7s")


def _read_limited(fileobj: IO[bytes], what: str) -> bytes:
    data = fileobj.read(MAX_METADATA_SIZE + 1)
    if len(data) > MAX_METADATA_SIZE:
        raise bad(f"The {what} file is larger than {MAX_METADATA_SIZE // 1024**2} MiB.")
    return data


def check_core_metadata(data: bytes, form: UploadForm | SimpleNamespace, where: str) -> RawMetadata:
    """The METADATA / PKG-INFO inside the file names the same project and version as the form."""
    raw, _unparsed = parse_email(data)
    check_name_matches(raw.get("name", ""), form.name, where)
    try:
        inner = Version(raw.get("version", ""))
    except InvalidVersion:
        raise bad(f"The version in {where} ('{raw.get('version', '')}') is not a valid version.") from None
    if inner != Version(form.version):
        raise bad(
            f"The version in {where} ('{raw.get('version')}') does not match the version in the upload "
            f"form ('{form.version}').",
            "metadata_mismatch",
        )
    return raw


def _dist_info_dir(names: list[str], form: UploadForm | SimpleNamespace) -> str:
    tops = {name.split("/", 1)[0] for name in names if "/" in name}
    dist_infos = [top for top in tops if top.endswith(".dist-info")]
    if len(dist_infos) != 1:
        raise bad(
            f"Wheel '{form.filename}' must contain exactly one .dist-info directory, found {len(dist_infos)}.",
            "bad_layout",
        )
    name, _, version = dist_infos[0][: -len(".dist-info")].rpartition("-")
    try:
        matches = canonicalize_name(name) == canonicalize_name(form.name) and Version(version) == Version(form.version)
    except InvalidVersion:
        matches = False
    if not matches:
        raise bad(
            f"The wheel's '{dist_infos[0]}' directory does not match '{form.name}' {form.version}.", "metadata_mismatch"
        )
    return dist_infos[0]


def _check_wheel_file(data: bytes, filename: str) -> None:
    headers = BytesHeaderParser().parsebytes(data)
    if not (headers.get("Wheel-Version") or "").startswith("1."):
        raise bad("The WHEEL file must declare Wheel-Version 1.x.", "bad_wheel")
    try:
        declared = {str(tag) for value in headers.get_all("Tag") or [] for tag in parse_tag(value.strip())}
    except ValueError:
        raise bad("The WHEEL file has an invalid Tag line.", "bad_wheel") from None
    compressed = filename[: -len(".whl")].split("-")[-3:]
    in_name = {str(tag) for tag in parse_tag("-".join(compressed))}
    if declared and not in_name <= declared:
        raise bad(
            f"The tags in the filename ({'-'.join(compressed)}) are not the tags in the WHEEL file.",
            "metadata_mismatch",
        )


def _record_entries(data: bytes) -> dict[str, tuple[str, str]]:
    entries = {}
    try:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    except (UnicodeDecodeError, csv.Error):
        raise bad("The wheel's RECORD file is not valid UTF-8 CSV.", "bad_record") from None
    for row in rows:
        if not row:
            continue
        if len(row) != 3:
            raise bad(f"Invalid RECORD line: {','.join(row)[:200]!r}.", "bad_record")
        entries[row[0]] = (row[1], row[2])
    return entries


def _check_record(archive: zipfile.ZipFile, dist_info: str) -> None:
    entries = _record_entries(archive.read(f"{dist_info}/RECORD"))
    unhashed = {f"{dist_info}/{name}" for name in UNHASHED}
    for info in archive.infolist():
        if info.is_dir() or info.filename in unhashed:
            continue
        if info.filename not in entries:
            raise bad(f"'{info.filename}' is in the wheel but not in its RECORD file.", "bad_record")
        hash_value, size = entries.pop(info.filename)
        algorithm, _, expected = hash_value.partition("=")
        if algorithm not in RECORD_HASHES or not expected:
            raise bad(f"RECORD entry for '{info.filename}' needs a sha256 (or stronger) hash.", "bad_record")
        hasher = hashlib.new(algorithm)
        with archive.open(info) as member:
            while chunk := member.read(1024 * 1024):
                hasher.update(chunk)
        actual = base64.urlsafe_b64encode(hasher.digest()).rstrip(b"=").decode()
        if actual != expected.rstrip("=") or (size and size != str(info.file_size)):
            raise bad(f"The hash or size of '{info.filename}' does not match its RECORD entry.", "bad_record")
    leftover = [name for name in entries if name not in unhashed and not name.endswith("/")]
    if leftover:
        raise bad(f"RECORD lists '{leftover[0]}', which is not in the wheel.", "bad_record")


def _check_license_files(raw: RawMetadata, present: set[str], prefix: str, what: str) -> None:
    for license_file in raw.get("license_files") or []:
        if f"{prefix}{license_file}" not in present:
            raise bad(
                f"License-File '{license_file}' is not in the {what} (expected at '{prefix}{license_file}').",
                "missing_license_file",
            )


def wheel_metadata(path: str, filename: str, form: UploadForm | None = None, size: int | None = None) -> bytes:
    """Check a wheel and return the bytes of its .dist-info/METADATA."""
    names = archives.check_zip(path, size if size is not None else os.path.getsize(path))
    named: UploadForm | SimpleNamespace
    if form is None:  # callers that only want the METADATA (test helpers) name the project in the file
        name, version = filename.split("-")[:2]
        named = SimpleNamespace(name=name, version=version, filename=filename)
    else:
        named = form
    dist_info = _dist_info_dir(names, named)
    present = set(names)
    for required in ("METADATA", "WHEEL", "RECORD"):
        if f"{dist_info}/{required}" not in present:
            raise bad(
                f"Wheel '{filename}' does not contain the required {required} file ({dist_info}/{required}).",
                "bad_layout",
            )
    try:
        with zipfile.ZipFile(path) as archive:
            with archive.open(f"{dist_info}/METADATA") as member:
                metadata = _read_limited(member, "METADATA")
            with archive.open(f"{dist_info}/WHEEL") as member:
                _check_wheel_file(_read_limited(member, "WHEEL"), filename)
            _check_record(archive, dist_info)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise bad(f"'{filename}' could not be read as a zip archive ({exc.__class__.__name__}).", "not_zip") from None
    raw = check_core_metadata(metadata, named, "the wheel's METADATA")
    _check_license_files(raw, present, f"{dist_info}/licenses/", "wheel")
    return metadata


def sdist_metadata(path: str, filename: str, form: UploadForm | None = None, size: int | None = None) -> bytes:
    """Check an sdist (single top directory, PKG-INFO) and return the bytes of its PKG-INFO."""
    top = filename[: -len(".tar.gz")]
    pkg_info, present = None, set()
    for archive, member in archives.iter_tar(path, size if size is not None else os.path.getsize(path), top):
        present.add(member.name.rstrip("/"))
        if member.name == f"{top}/PKG-INFO":
            if not member.isfile():
                raise bad("PKG-INFO is not a regular file.", "bad_layout")
            # (extractfile is None only for members that are not regular files, refused above.)
            pkg_info = _read_limited(archive.extractfile(member), "PKG-INFO")  # type: ignore[arg-type]
    if pkg_info is None:
        raise bad(f"Source distribution '{filename}' has no {top}/PKG-INFO file.", "bad_layout")
    if form is not None:
        raw = check_core_metadata(pkg_info, form, "the sdist's PKG-INFO")
        _check_license_files(raw, present, f"{top}/", "sdist")
    return pkg_info


def read_metadata(form: UploadForm, path: str, size: int | None = None) -> bytes:
    if form.filetype == "bdist_wheel":
        return wheel_metadata(path, form.filename, form, size)
    return sdist_metadata(path, form.filename, form, size)
