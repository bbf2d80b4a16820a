"""Structural checks on zip and tar archives, before anything inside them is trusted.

Catches path traversal, decompression bombs and the "wheel confusion" tricks where two zip
readers see different files: data before or after the archive, central-directory entries
that disagree with their local headers, overlapping entries and duplicate names.
"""

import gzip
import posixpath
import struct
import tarfile
import zipfile
from collections.abc import Iterator
from typing import BinaryIO, Protocol

from .errors import UploadError, invalid

MAX_MEMBERS = 100_000
MAX_UNCOMPRESSED = 2 * 1024**3
BOMB_FLOOR = 64 * 1024**2  # above this much uncompressed data, the ratio below applies
MAX_RATIO = 50
_EOCD = struct.Struct("<4sHHHHIIH")
_ZIP64_LOCATOR = struct.Struct("<4sIQI")
_ZIP64_EOCD = struct.Struct("<4sQHHIIQQQQ")
_LOCAL = struct.Struct("<4sHHHHHIIIHH")


class _Readable(Protocol):  # TarFile.fileobj is typed as only this much, not as IO[bytes]
    def read(self, size: int, /) -> bytes: ...


def bad(message: str, code: str = "bad_archive") -> UploadError:
    return invalid(f"Invalid distribution file. {message}", "content", anchor="content", code=code)


def check_member_name(name: str) -> None:
    if not name or "\x00" in name or "\\" in name:
        raise bad(f"Archive member name {name!r} is not allowed (empty, NUL or backslash).", "bad_member_name")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise bad(f"Archive member '{name}' has an absolute path.", "path_traversal")
    if ".." in name.split("/"):
        raise bad(f"Archive member '{name}' points outside the archive ('..').", "path_traversal")


def check_sizes(total_uncompressed: int, compressed_size: int) -> None:
    if total_uncompressed > MAX_UNCOMPRESSED:
        raise bad(f"The archive expands to more than {MAX_UNCOMPRESSED // 1024**3} GiB.", "archive_bomb")
    if total_uncompressed > BOMB_FLOOR and total_uncompressed > MAX_RATIO * max(compressed_size, 1):
        raise bad(f"The archive's compression ratio is over {MAX_RATIO}:1 (a decompression bomb?).", "archive_bomb")


def _end_of_central_directory(f: BinaryIO, size: int) -> tuple[int, int]:
    """(central directory offset, entry count) from the end records."""
    tail_len = min(size, _EOCD.size + 0xFFFF)
    f.seek(size - tail_len)
    tail = f.read(tail_len)
    pos = tail.rfind(b"PK\x05\x06")
    if pos < 0 or pos + _EOCD.size > len(tail):
        raise bad("The file is not a zip archive.", "not_zip")
    _sig, disk, cd_disk, _n_here, count, cd_size, cd_offset, comment_len = _EOCD.unpack_from(tail, pos)
    eocd_at = size - tail_len + pos
    if eocd_at + _EOCD.size + comment_len != size:
        raise bad("There is data after the end of the zip archive.", "trailing_data")
    if disk or cd_disk:
        raise bad("Multi-disk zip archives are not supported.", "not_zip")
    cd_end = eocd_at
    if 0xFFFFFFFF in (cd_size, cd_offset) or count == 0xFFFF:
        locator_at = eocd_at - _ZIP64_LOCATOR.size
        f.seek(max(locator_at, 0))
        locator = f.read(_ZIP64_LOCATOR.size)
        if locator_at < 0 or len(locator) != _ZIP64_LOCATOR.size or locator[:4] != b"PK\x06\x07":
            raise bad("The zip64 end record is missing.", "not_zip")
        z64_at = _ZIP64_LOCATOR.unpack(locator)[2]
        f.seek(z64_at)
        record = f.read(_ZIP64_EOCD.size)
        if len(record) != _ZIP64_EOCD.size or record[:4] != b"PK\x06\x06":
            raise bad("The zip64 end record is invalid.", "not_zip")
        *_, count, cd_size, cd_offset = _ZIP64_EOCD.unpack(record)
        if z64_at + 12 + _ZIP64_EOCD.unpack(record)[1] != locator_at:
            raise bad("There is unexpected data between the zip64 end records.", "trailing_data")
        cd_end = z64_at
    if cd_offset + cd_size != cd_end:
        raise bad(
            "There is data before or inside the zip archive that its central directory does not account for.",
            "zip_mismatch",
        )
    return cd_offset, count


def _raw_name(info: zipfile.ZipInfo) -> bytes:
    return info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437")


def _check_gap(offset: int, expected: int, slack: int, what: str) -> None:
    """Entries must follow each other with nothing hidden in between (a data descriptor may sit there)."""
    if offset < expected:
        raise bad(f"Zip entries overlap at {what}.", "zip_mismatch")
    if offset - expected > slack:
        raise bad(f"There is unaccounted data in the zip archive before {what}.", "zip_mismatch")


def _check_local_headers(f: BinaryIO, infos: list[zipfile.ZipInfo], cd_offset: int) -> None:
    expected, slack = 0, 0
    for info in sorted(infos, key=lambda i: i.header_offset):
        _check_gap(info.header_offset, expected, slack, f"'{info.filename}'")
        f.seek(info.header_offset)
        header = f.read(_LOCAL.size)
        if len(header) != _LOCAL.size or header[:4] != b"PK\x03\x04":
            raise bad(f"The local header of '{info.filename}' is missing.", "zip_mismatch")
        _sig, _ver, flags, method, _t, _d, crc, csize, usize, name_len, extra_len = _LOCAL.unpack(header)
        if f.read(name_len) != _raw_name(info):
            raise bad(
                f"The central directory and the local header disagree on the name of '{info.filename}'.", "zip_mismatch"
            )
        if method != info.compress_type:
            raise bad(
                f"The central directory and the local header of '{info.filename}' disagree on the compression method.",
                "zip_mismatch",
            )
        sizes_differ = (csize, usize) != (info.compress_size, info.file_size) and 0xFFFFFFFF not in (csize, usize)
        if not flags & 0x08 and (crc != info.CRC or sizes_differ):
            raise bad(
                f"The central directory and the local header of '{info.filename}' disagree on its size or checksum.",
                "zip_mismatch",
            )
        if flags & 0x01:
            raise bad(f"Zip entry '{info.filename}' is encrypted.", "bad_archive")
        expected = info.header_offset + _LOCAL.size + name_len + extra_len + info.compress_size
        # A data descriptor (flag bit 3) follows the data: 12 to 24 bytes, with an optional signature.
        slack = 12 if flags & 0x08 else 0
        expected += 12 if flags & 0x08 else 0
    _check_gap(cd_offset, expected, slack, "the central directory")


def check_zip(path: str, size: int) -> list[str]:
    """Returns the archive's member names (central directory order) once it passed every check."""
    try:
        with open(path, "rb") as f:
            cd_offset, count = _end_of_central_directory(f, size)
            with zipfile.ZipFile(f) as archive:
                infos = archive.infolist()
            if len(infos) != count:
                raise bad(
                    "The zip end record and the central directory disagree on the number of entries.", "zip_mismatch"
                )
            if count > MAX_MEMBERS:
                raise bad(f"The archive has more than {MAX_MEMBERS} members.", "archive_bomb")
            names = [info.filename for info in infos]
            seen = set()
            for info in infos:
                check_member_name(info.orig_filename)  # as stored: zipfile cuts names at a NUL
                name = info.filename
                key = name.rstrip("/").lower()
                if key in seen:
                    raise bad(f"The archive contains the member '{name}' more than once.", "duplicate_member")
                seen.add(key)
            check_sizes(sum(info.file_size for info in infos), size)
            _check_local_headers(f, infos, cd_offset)
            return names
    except (zipfile.BadZipFile, zipfile.LargeZipFile, struct.error, EOFError, OSError):
        raise bad("The file is not a valid zip archive.", "not_zip") from None


def check_tar_member(member: tarfile.TarInfo, top: str, seen: set[str]) -> None:
    check_member_name(member.name)
    name = member.name.rstrip("/")
    if name.split("/")[0] != top:
        raise bad(
            f"Every file of a source distribution must be inside the single top directory '{top}/' "
            f"('{member.name}' is not).",
            "bad_layout",
        )
    if name in seen:
        raise bad(f"The archive contains the member '{member.name}' more than once.", "duplicate_member")
    seen.add(name)
    if member.issym() or member.islnk():
        base = posixpath.dirname(name) if member.issym() else ""
        target = posixpath.normpath(posixpath.join(base, member.linkname))
        if member.linkname.startswith("/") or target.split("/")[0] != top:
            raise bad(f"Link '{member.name}' points outside the source tree.", "path_traversal")
    elif not (member.isfile() or member.isdir()):
        raise bad(f"Archive member '{member.name}' is a device, pipe or other special file.", "bad_member_type")


def _check_tar_end(stream: _Readable, budget: int) -> None:
    """After the end-of-archive marker only zero padding may follow, up to the end of the gzip data."""
    try:
        while chunk := stream.read(1024 * 1024):
            budget -= len(chunk)
            if budget < 0:
                raise bad(f"The archive expands to more than {MAX_UNCOMPRESSED // 1024**3} GiB.", "archive_bomb")
            if chunk.count(0) != len(chunk):
                raise bad("There is data after the end of the tar archive.", "trailing_data")
    except (gzip.BadGzipFile, EOFError):
        raise bad("There is data after the end of the gzip stream.", "trailing_data") from None


def iter_tar(path: str, size: int, top: str) -> Iterator[tuple[tarfile.TarFile, tarfile.TarInfo]]:
    """Yield (tarfile, member) for each member of a checked gzip tar, stopping at the first problem.

    Sizes are added up from the headers before a member's data is ever decompressed, so a bomb
    is refused without being expanded.
    """
    seen: set[str] = set()
    total, count = 0, 0
    try:
        with tarfile.open(path, mode="r:gz") as archive:
            while (member := archive.next()) is not None:
                count += 1
                if count > MAX_MEMBERS:
                    raise bad(f"The archive has more than {MAX_MEMBERS} members.", "archive_bomb")
                total += max(member.size, 0)
                check_sizes(total, size)
                check_tar_member(member, top, seen)
                yield archive, member
            if count == 0:
                raise bad("The source distribution is empty.", "bad_layout")
            _check_tar_end(archive.fileobj, MAX_UNCOMPRESSED - total)
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise bad(
            f"The file is not a valid gzip-compressed tar archive ({exc.__class__.__name__}).", "not_tar"
        ) from None
