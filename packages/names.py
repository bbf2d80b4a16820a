"""Name and version identity: PEP 503 names, confusable-name folding, PEP 440 canonical versions."""

import re

from packaging.utils import canonicalize_name, canonicalize_version
from packaging.version import Version

# PEP 508 name: ASCII letters/digits, with . _ - only between them.
_VALID_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
_CONFUSABLES = str.maketrans({"l": "1", "i": "1", "o": "0"})


def is_valid_name(name: str) -> bool:
    return bool(_VALID_NAME.match(name or ""))


def normalize_name(name: str) -> str:
    """PEP 503: lowercase, runs of - _ . become one '-'."""
    return canonicalize_name(name)


def ultranormalize_name(name: str) -> str:
    """Fold names that look alike: drop separators, l/i/L/I -> 1, o/O -> 0 (as pypi.org does)."""
    return re.sub(r"[-_.]+", "", name.lower()).translate(_CONFUSABLES)


def canonical_version(version) -> str:
    """One form per PEP 440 version: '2', '2.0' and '2.0.0' are the same release."""
    return canonicalize_version(Version(str(version)))
