"""Step 2b: checks on the form, the filename and the digests, before anything is stored."""
import hashlib
import hmac

from packaging.utils import InvalidSdistFilename, InvalidWheelFilename, parse_sdist_filename, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from packages.names import is_valid_name, normalize_name

from .errors import UploadError

CORE_METADATA_URL = "https://packaging.python.org/specifications/core-metadata"
ALLOWED_FILETYPES = {"sdist": (".tar.gz",), "bdist_wheel": (".whl",)}


def check_name_and_version(form):
    if not is_valid_name(form.name):
        raise UploadError(
            f"'{form.name}' is an invalid value for Name. Error: Start and end with a letter or numeral "
            f"containing only ASCII numeric and '.', '_' and '-'. See {CORE_METADATA_URL}",
            field="name", help_url=CORE_METADATA_URL,
        )
    try:
        version = Version(form.version)
    except InvalidVersion:
        raise UploadError(
            f"'{form.version}' is an invalid value for Version. Error: Must be a valid PEP 440 version. "
            f"See {CORE_METADATA_URL}",
            field="version", help_url="https://peps.python.org/pep-0440/",
        ) from None
    if version.local is not None:
        raise UploadError(
            f"The use of local versions in '{form.version}' is not allowed.", field="version",
            help_url="https://packaging.python.org/specifications/version-specifiers/#local-version-identifiers",
        )
    return version


def check_filename(form, version):
    """The filename is a valid sdist/wheel name for exactly this project and version."""
    filename = form.filename
    if "/" in filename or "\\" in filename or any(ord(c) < 32 for c in filename):
        raise UploadError("Cannot upload a file with '/' or '\\' or control characters in the name.", field="content")
    if form.filetype not in ALLOWED_FILETYPES:
        raise UploadError(
            f"Unknown type of file '{form.filetype}'. Only 'sdist' (.tar.gz) and 'bdist_wheel' (.whl) "
            "files are accepted.", field="filetype",
        )
    if not filename.endswith(ALLOWED_FILETYPES[form.filetype]):
        raise UploadError(
            f"Invalid file extension: a '{form.filetype}' must end with {ALLOWED_FILETYPES[form.filetype][0]}. "
            "Only .tar.gz source distributions and .whl wheels are accepted (PEP 527).", field="content",
        )
    try:
        if form.filetype == "bdist_wheel":
            name, file_version, _, _ = parse_wheel_filename(filename)
        else:
            name, file_version = parse_sdist_filename(filename)
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion) as exc:
        raise UploadError(f"Invalid distribution filename '{filename}': {exc}", field="content") from None
    if name != normalize_name(form.name):
        raise UploadError(f"Start filename for '{form.name}' with '{normalize_name(form.name).replace('-', '_')}'.", field="content")
    if file_version != version:
        raise UploadError(f"Version in filename should be '{version}' not '{file_version}'.", field="content")


def compute_digests(uploaded_file):
    md5, sha256, blake2 = hashlib.md5(usedforsecurity=False), hashlib.sha256(), hashlib.blake2b(digest_size=32)
    size = 0
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks(1024 * 1024):
        md5.update(chunk)
        sha256.update(chunk)
        blake2.update(chunk)
        size += len(chunk)
    uploaded_file.seek(0)
    return {"md5": md5.hexdigest(), "sha256": sha256.hexdigest(), "blake2_256": blake2.hexdigest()}, size


def check_digests(declared, actual):
    if not declared:
        raise UploadError("Include at least one message digest.", field="sha256_digest")
    for key, value in declared.items():
        if not hmac.compare_digest(value, actual[key]):
            raise UploadError(
                "The digest supplied does not match a digest calculated from the uploaded file.", field=f"{key}_digest"
            )
