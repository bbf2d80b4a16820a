"""Every check that needs only the request (no database): form, filename, metadata,
README and digests. Checks that look at existing projects live in policy.py."""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import UploadedFile
from packaging.version import InvalidVersion, Version

from packages.digests import digests_of_file

from . import filenames, metadata, readme
from .errors import UploadError, invalid
from .project_names import check_name_syntax

if TYPE_CHECKING:
    from .form import UploadForm

VERSION_URL = "https://packaging.python.org/specifications/version-specifiers/"


def check_version(form: UploadForm) -> Version:
    try:
        version = Version(form.version)
    except InvalidVersion:
        raise invalid(
            f"'{form.version}' is an invalid value for Version. Error: Must be a valid PEP 440 version. "
            "See https://packaging.python.org/specifications/core-metadata",
            "version",
            url=VERSION_URL,
            code="bad_version",
        ) from None
    if version.local is not None:
        raise invalid(
            f"The use of local versions in '{form.version}' is not allowed.",
            "version",
            url=VERSION_URL + "#local-version-identifiers",
            code="local_version",
        )
    return version


def validate_form(form: UploadForm) -> tuple[Version, str]:
    """Returns (parsed version, python_version for the File row)."""
    metadata.check_metadata_version(form.metadata)
    check_name_syntax(form.name)
    version = check_version(form)
    python_version = filenames.check_filename(form, version)
    metadata.check_metadata(form.metadata)
    form.metadata["description_html"] = readme.check_description(form.metadata)  # rendered once, stored
    return version, python_version


def compute_digests(uploaded_file: UploadedFile) -> tuple[dict[str, str], int]:
    """Digests and size of the upload: computed while streaming when the handler did it."""
    streamed = getattr(uploaded_file, "digests", None)  # HashedTemporaryFile's (handlers.py)
    if streamed:
        return dict(streamed), uploaded_file.size or 0
    return digests_of_file(uploaded_file)


def check_digests(declared: dict[str, str], actual: dict[str, str]) -> None:
    if not declared:
        raise UploadError("Include at least one message digest.", field="sha256_digest", code="missing_digest")
    for key, value in declared.items():
        if not value.isascii() or not hmac.compare_digest(value, actual[key]):
            raise UploadError(
                "The digest supplied does not match a digest calculated from the uploaded file.",
                field=f"{key}_digest",
                code="digest_mismatch",
            )
