"""Core-metadata rules for the form fields: versions of the spec, classifiers, licences,
dependencies, URLs, e-mail addresses and field lengths. The README is checked in readme.py."""

import re
from email.utils import getaddresses
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from email_validator import EmailNotValidError, validate_email
from license_expression import Licensing, get_spdx_licensing
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from trove_classifiers import classifiers as KNOWN_CLASSIFIERS
from trove_classifiers import deprecated_classifiers

from .errors import UploadError, invalid

Metadata = dict[str, Any]  # the form's core-metadata fields (form.py), by field name

CORE_METADATA_URL = "https://packaging.python.org/specifications/core-metadata/"
LICENSE_EXPRESSION_URL = "https://packaging.python.org/specifications/license-expression/"
# 1.0 .. 2.5: 2.0 was never a real version; anything newer is refused until we know its rules.
METADATA_VERSIONS = ("1.0", "1.1", "1.2", "2.1", "2.2", "2.3", "2.4", "2.5")
# Length limits per field (characters), mirroring what the database and pypi.org accept.
MAX_LENGTHS = {
    "summary": 512,
    "description_content_type": 128,
    "keywords": 4096,
    "home_page": 2048,
    "download_url": 2048,
    "author": 1024,
    "author_email": 1024,
    "maintainer": 1024,
    "maintainer_email": 1024,
    "license": 65536,
    "license_expression": 1024,
    "requires_python": 255,
    "version": 100,
}
MAX_LIST_ITEM_LENGTH = 1024
MAX_CLASSIFIER_LENGTH = 255
MAX_URL_LABEL_LENGTH = 32
_LICENSE_REF = re.compile(r"^(DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$")
_DYNAMIC_FORBIDDEN = {"name", "version", "metadata-version"}


def classifiers_url() -> str:
    """This index's own list of classifiers (/classifiers/), which links each to a search."""
    return f"{settings.SITE_URL.rstrip('/')}/classifiers/"


def field_error(value: str, label: str, problem: str, field: str, **kwargs: Any) -> UploadError:
    shown = value if len(value) <= 80 else value[:77] + "..."
    return invalid(
        f"'{shown}' is an invalid value for {label}. Error: {problem} See {CORE_METADATA_URL}",
        field,
        url=kwargs.pop("url", CORE_METADATA_URL),
        **kwargs,
    )


def check_metadata_version(metadata: Metadata) -> None:
    value = metadata.get("metadata_version", "")
    if value not in METADATA_VERSIONS:
        raise field_error(
            value or "(missing)",
            "Metadata-Version",
            f"Use a known metadata version: {', '.join(METADATA_VERSIONS)}.",
            "metadata_version",
            code="bad_metadata_version",
        )


def check_lengths(metadata: Metadata) -> None:
    for key, limit in MAX_LENGTHS.items():
        if len(metadata.get(key) or "") > limit:
            label = key.replace("_", "-").title()
            raise invalid(
                f"'{label}' field must be {limit} characters or less.", key, url=CORE_METADATA_URL, code="too_long"
            )
    if "\n" in (metadata.get("summary") or "") or "\r" in (metadata.get("summary") or ""):
        raise field_error(metadata["summary"], "Summary", "Use a single line only.", "summary")
    for key in (
        "requires_dist",
        "provides_extra",
        "platform",
        "supported_platform",
        "license_files",
        "requires_external",
        "provides_dist",
        "obsoletes_dist",
        "dynamic",
    ):
        for value in metadata.get(key) or []:
            if len(value) > MAX_LIST_ITEM_LENGTH:
                raise invalid(
                    f"Each '{key}' value must be {MAX_LIST_ITEM_LENGTH} characters or less.",
                    key,
                    url=CORE_METADATA_URL,
                    code="too_long",
                )


def check_classifiers(metadata: Metadata) -> None:
    for classifier in metadata.get("classifiers") or []:
        if classifier.startswith("Private ::"):
            raise invalid(
                f"Classifier '{classifier}' is refused: 'Private ::' classifiers mark a project that must never "
                "be uploaded to a public index.",
                "classifiers",
                anchor="metadata",
                code="private_classifier",
            )
        if classifier in deprecated_classifiers:
            replacements = deprecated_classifiers[classifier]
            hint = f"use {', '.join(repr(r) for r in replacements)} instead" if replacements else "remove it"
            raise invalid(
                f"Classifier '{classifier}' has been deprecated, {hint}.",
                "classifiers",
                url=classifiers_url(),
                code="deprecated_classifier",
            )
        if len(classifier) > MAX_CLASSIFIER_LENGTH or classifier not in KNOWN_CLASSIFIERS:
            raise invalid(
                f"'{classifier[:200]}' is not a valid classifier. See {classifiers_url()} for the list.",
                "classifiers",
                url=classifiers_url(),
                code="unknown_classifier",
            )


@lru_cache(maxsize=1)
def _spdx() -> Licensing:
    return get_spdx_licensing()


def check_license(metadata: Metadata) -> None:
    expression = metadata.get("license_expression") or ""
    if not expression:
        return
    if metadata.get("metadata_version") not in ("2.4", "2.5"):
        raise invalid(
            "License-Expression needs Metadata-Version 2.4 or later.",
            "license_expression",
            url=LICENSE_EXPRESSION_URL,
            code="bad_license",
        )
    if metadata.get("license"):
        raise invalid(
            "License is deprecated when License-Expression is present: drop the License field.",
            "license",
            url=LICENSE_EXPRESSION_URL,
            code="bad_license",
        )
    info = _spdx().validate(expression)
    unknown = [s for s in info.invalid_symbols if s and not _LICENSE_REF.match(s)]
    syntax_errors = [e for e in info.errors if not e.startswith("Unknown license key")]
    if syntax_errors or unknown:
        problem = (
            "unknown license identifier " + ", ".join(repr(s) for s in unknown) if unknown else "it does not parse"
        )
        raise invalid(
            f"'{expression}' is not a valid SPDX License-Expression: {problem}. Use SPDX identifiers "
            "(https://spdx.org/licenses/) joined with AND, OR, WITH and parentheses, or LicenseRef-<name>.",
            "license_expression",
            url=LICENSE_EXPRESSION_URL,
            code="bad_license",
        )


def check_dependencies(metadata: Metadata) -> None:
    for value in metadata.get("requires_dist") or []:
        try:
            requirement = Requirement(value)
        except InvalidRequirement as exc:
            raise field_error(
                value,
                "Requires-Dist",
                f"{exc}.",
                "requires_dist",
                url="https://packaging.python.org/specifications/dependency-specifiers/",
            ) from None
        if requirement.url:
            raise invalid(
                f"Can't have direct dependency: '{value}'. An index only holds dependencies on other projects by name.",
                "requires_dist",
                anchor="metadata",
                code="direct_dependency",
            )
    requires_python = metadata.get("requires_python") or ""
    if requires_python:
        try:
            SpecifierSet(requires_python)
        except InvalidSpecifier as exc:
            raise field_error(
                requires_python,
                "Requires-Python",
                f"{exc}.",
                "requires_python",
                url="https://packaging.python.org/specifications/version-specifiers/",
            ) from None
    for extra in metadata.get("provides_extra") or []:
        if not re.match(r"^([a-z0-9]|[a-z0-9]([a-z0-9._-])*[a-z0-9])$", extra, re.IGNORECASE):
            raise field_error(extra, "Provides-Extra", "Must be a valid extra name.", "provides_extra")
    for value in metadata.get("dynamic") or []:
        if value.lower() in _DYNAMIC_FORBIDDEN:
            raise field_error(value, "Dynamic", "Name, Version and Metadata-Version can't be dynamic.", "dynamic")


def _check_url(value: str, label: str, field: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
        raise field_error(value, label, "Must be a valid, absolute http or https URL.", field, code="bad_url")


def check_urls(metadata: Metadata) -> None:
    for key, label in (("home_page", "Home-page"), ("download_url", "Download-URL")):
        if metadata.get(key):
            _check_url(metadata[key], label, key)
    for name, url in (metadata.get("project_urls") or {}).items():
        if not name:
            raise invalid(
                "Each Project-URL needs a label: 'Label, https://url'.",
                "project_urls",
                url=CORE_METADATA_URL,
                code="bad_url",
            )
        if len(name) > MAX_URL_LABEL_LENGTH:
            raise invalid(
                f"Project-URL label '{name[:40]}' must be {MAX_URL_LABEL_LENGTH} characters or less.",
                "project_urls",
                url=CORE_METADATA_URL,
                code="too_long",
            )
        _check_url(url, f"Project-URL '{name}'", "project_urls")


def check_emails(metadata: Metadata) -> None:
    """An RFC 822 address list, as pypi.org reads it: every entry getaddresses() finds must be
    a valid address (an empty or unparsable entry is refused, not skipped), on one line."""
    for key, label in (("author_email", "Author-email"), ("maintainer_email", "Maintainer-email")):
        value = metadata.get(key) or ""
        if not value.strip():
            continue
        if "\r" in value or "\n" in value:
            raise field_error(value, label, "Use a single line only.", key, code="bad_email")
        for _display, address in getaddresses([value]):
            try:
                if "@" not in address:
                    raise EmailNotValidError("Use a valid email address, such as 'Name <name@example.com>'.")
                validate_email(address, check_deliverability=False)
            except EmailNotValidError as exc:
                raise field_error(address or value, label, f"{exc}", key, code="bad_email") from None


def check_name_matches(metadata_name: str | None, form_name: str, where: str) -> None:
    if canonicalize_name(metadata_name or "") != canonicalize_name(form_name):
        raise invalid(
            f"The name in {where} ('{metadata_name}') does not match the name in the upload form ('{form_name}').",
            "name",
            anchor="content",
            code="metadata_mismatch",
        )


def check_metadata(metadata: Metadata) -> None:
    """Every field rule except Metadata-Version, which validate_form checks first."""
    check_lengths(metadata)
    check_classifiers(metadata)
    check_license(metadata)
    check_dependencies(metadata)
    check_urls(metadata)
    check_emails(metadata)
