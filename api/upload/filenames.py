"""Filename rules: file types, wheel names and platform tags, PEP 625 sdist names, pyversion."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from .errors import invalid

if TYPE_CHECKING:
    from .form import UploadForm

WHEEL_SPEC_URL = "https://packaging.python.org/specifications/binary-distribution-format/"
SDIST_SPEC_URL = "https://packaging.python.org/specifications/source-distribution-format/"
PLATFORM_TAGS_URL = "https://packaging.python.org/specifications/platform-compatibility-tags/"
ACCEPTED_TYPES = "'sdist' (.tar.gz) and 'bdist_wheel' (.whl)"
RETIRED_TYPES = {
    "bdist_egg": "Eggs",
    "bdist_wininst": "Windows installers (bdist_wininst)",
    "bdist_msi": "MSI installers",
    "bdist_dumb": "Dumb binary archives (bdist_dumb)",
    "bdist_rpm": "RPM packages",
}
MAX_FILENAME_LENGTH = 255

# Platform tags an installer could pick from an index. Plain `linux_*` is refused: it promises
# nothing about the C library, so pip never installs such wheels from an index.
_STATIC_PLATFORMS = (
    {"any", "win32", "win_amd64", "win_arm64", "win_ia64"}
    | {f"manylinux{v}_{arch}" for v in ("1", "2010") for arch in ("x86_64", "i686")}
    | {f"manylinux2014_{arch}" for arch in ("x86_64", "i686", "aarch64", "armv7l", "ppc64", "ppc64le", "s390x")}
)
_LINUX_ARCHS = r"(x86_64|i686|aarch64|armv7l|ppc64|ppc64le|s390x|riscv64|loongarch64)"
_MAC_ARCHS = r"(x86_64|arm64|universal2|intel|fat|fat3|fat64|universal|i386|ppc|ppc64)"
_PLATFORM_PATTERNS = [
    re.compile(rf"^manylinux_\d+_\d+_{_LINUX_ARCHS}$"),
    re.compile(rf"^musllinux_\d+_\d+_{_LINUX_ARCHS}$"),
    re.compile(rf"^macosx_\d+_\d+_{_MAC_ARCHS}$"),
    re.compile(r"^ios_\d+_\d+_(arm64|x86_64)_(iphoneos|iphonesimulator)$"),
    re.compile(r"^android_\d+_(armeabi_v7a|arm64_v8a|x86|x86_64)$"),
    re.compile(r"^pyodide_\d+_\d+_wasm32$"),
    re.compile(r"^emscripten_\d+_\d+_\d+_wasm32$"),
]


def is_allowed_platform(platform: str) -> bool:
    return platform in _STATIC_PLATFORMS or any(p.match(platform) for p in _PLATFORM_PATTERNS)


def check_filetype(form: UploadForm) -> None:
    filetype, filename = form.filetype, form.filename
    if filetype in RETIRED_TYPES or filename.endswith((".egg", ".exe", ".msi", ".rpm")):
        what = RETIRED_TYPES.get(filetype, f"Files like '{filename}'")
        raise invalid(
            f"{what} are no longer accepted. Upload only {ACCEPTED_TYPES} files.",
            "filetype",
            anchor="file-types",
            code="retired_filetype",
        )
    if filetype not in ("sdist", "bdist_wheel"):
        raise invalid(
            f"Unknown type of file '{filetype}'. Only {ACCEPTED_TYPES} files are accepted.",
            "filetype",
            anchor="file-types",
            code="unknown_filetype",
        )
    extension = ".whl" if filetype == "bdist_wheel" else ".tar.gz"
    if not filename.endswith(extension):
        raise invalid(
            f"Invalid file extension: a '{filetype}' must end with {extension}. Only {ACCEPTED_TYPES} files "
            "are accepted (sdists as .tar.gz per PEP 625).",
            "content",
            anchor="file-types",
            code="bad_extension",
        )


def check_filename_text(filename: str) -> None:
    if len(filename) > MAX_FILENAME_LENGTH:
        raise invalid(f"Filename is too long: at most {MAX_FILENAME_LENGTH} characters.", "content")
    if "/" in filename or "\\" in filename or any(ord(c) < 32 or ord(c) == 127 for c in filename):
        raise invalid("Cannot upload a file with '/' or '\\' or control characters in the name.", "content")
    if not filename.isascii():
        raise invalid("Distribution filenames must be ASCII.", "content", anchor="filenames")


def check_wheel_filename(form: UploadForm, version: Version) -> str:
    try:
        name, file_version, _build, tags = parse_wheel_filename(form.filename)
    except (InvalidWheelFilename, InvalidVersion) as exc:
        raise invalid(
            f"Invalid wheel filename '{form.filename}': {exc}", "content", url=WHEEL_SPEC_URL, code="bad_filename"
        ) from None
    _check_name_and_version(form, name, file_version, version)
    for tag in tags:
        if not is_allowed_platform(tag.platform):
            raise invalid(
                f"Binary wheel '{form.filename}' has an unsupported platform tag '{tag.platform}'.",
                "content",
                url=PLATFORM_TAGS_URL,
                code="bad_platform_tag",
            )
    python_tags = form.filename[: -len(".whl")].split("-")[-3]
    if form.pyversion not in {python_tags, *python_tags.split(".")}:
        raise invalid(
            f"The pyversion field '{form.pyversion}' does not match the wheel's Python tag '{python_tags}'.",
            "pyversion",
            anchor="filenames",
            code="bad_pyversion",
        )
    return python_tags


def check_sdist_filename(form: UploadForm, version: Version) -> str:
    """PEP 625: <normalized_name>-<normalized version>.tar.gz, nothing else."""
    stem = form.filename[: -len(".tar.gz")]
    name_part, sep, version_part = stem.rpartition("-")
    expected = f"{canonicalize_name(form.name).replace('-', '_')}-{version}.tar.gz"
    if not sep or not name_part:
        raise invalid(
            f"Invalid source distribution filename '{form.filename}': should be '{expected}'.",
            "content",
            url=SDIST_SPEC_URL,
            code="bad_filename",
        )
    try:
        file_version = Version(version_part)
    except InvalidVersion:
        raise invalid(
            f"Invalid source distribution filename '{form.filename}': '{version_part}' is not a valid version.",
            "content",
            url=SDIST_SPEC_URL,
            code="bad_filename",
        ) from None
    _check_name_and_version(form, canonicalize_name(name_part), file_version, version)
    if form.filename != expected:
        raise invalid(
            f"Filename '{form.filename}' is invalid, should be '{expected}'.",
            "content",
            url=SDIST_SPEC_URL,
            code="bad_filename",
        )
    if form.pyversion not in ("", "source"):
        raise invalid(
            "Use 'source' as the pyversion of an sdist.", "pyversion", anchor="filenames", code="bad_pyversion"
        )
    return "source"


def _check_name_and_version(form: UploadForm, file_name: str, file_version: Version, version: Version) -> None:
    if file_name != canonicalize_name(form.name):
        raise invalid(
            f"Start filename for '{form.name}' with '{canonicalize_name(form.name).replace('-', '_')}'.",
            "content",
            anchor="filenames",
            code="filename_mismatch",
        )
    if file_version != version:
        raise invalid(
            f"Version in filename should be '{version}' not '{file_version}'.",
            "content",
            anchor="filenames",
            code="filename_mismatch",
        )


def check_filename(form: UploadForm, version: Version) -> str:
    """Returns the python_version recorded for the file ('source' or the wheel's python tag)."""
    check_filename_text(form.filename)
    check_filetype(form)
    if form.filetype == "bdist_wheel":
        return check_wheel_filename(form, version)
    return check_sdist_filename(form, version)
