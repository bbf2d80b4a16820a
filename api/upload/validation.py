"""Every check that needs only the request (no database): form, filename, metadata,
README and digests. Checks that look at existing projects live in policy.py."""

import hmac

from packaging.version import InvalidVersion, Version

from packages.digests import digests_of_file

from . import filenames, metadata, readme
from .errors import UploadError, invalid
from .project_names import check_name_syntax

VERSION_URL = "https://packaging.python.org/specifications/version-specifiers/"


def check_version(form):
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


def validate_form(form):
    """Returns (parsed version, python_version for the File row)."""
    metadata.check_metadata_version(form.metadata)
    check_name_syntax(form.name)
    version = check_version(form)
    python_version = filenames.check_filename(form, version)
    metadata.check_metadata(form.metadata)
    form.metadata["description_html"] = readme.check_description(form.metadata)  # rendered once, stored
    return version, python_version


def compute_digests(uploaded_file):
    """Digests and size of the upload: computed while streaming when the handler did it."""
    if getattr(uploaded_file, "digests", None):
        return dict(uploaded_file.digests), uploaded_file.size
    return digests_of_file(uploaded_file)


def check_digests(declared, actual):
    if not declared:
        raise UploadError("Include at least one message digest.", field="sha256_digest", code="missing_digest")
    for key, value in declared.items():
        if not value.isascii() or not hmac.compare_digest(value, actual[key]):
            raise UploadError(
                "The digest supplied does not match a digest calculated from the uploaded file.",
                field=f"{key}_digest",
                code="digest_mismatch",
            )
