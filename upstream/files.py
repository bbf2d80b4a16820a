"""Upstream files: where they are (on this index's URLs and in its package storage) and what the
cached page promised of them. First downloads are streamed and stored by upstream/streaming.py."""

from dataclasses import dataclass

from . import pages

METADATA_SUFFIX = ".metadata"
URL_PREFIX = "/proxy/"


def url_path(normalized_name, sha256, filename):
    return f"{URL_PREFIX}{normalized_name}/{sha256}/{filename}"


def storage_path(sha256, filename):
    return f"upstream/{sha256[:2]}/{sha256[2:4]}/{sha256}/{filename}"


@dataclass(frozen=True)
class Wanted:
    """One file (or its PEP 658 metadata file) of an upstream project, as its page described it."""

    normalized_name: str
    upstream: str
    entry: dict  # the page's file row (upstream/pages.py _file_rows)
    is_metadata: bool = False

    @property
    def filename(self):
        return self.entry["filename"] + (METADATA_SUFFIX if self.is_metadata else "")

    @property
    def sha256(self):
        """The digest the bytes must have."""
        return self.entry["metadata_sha256"] if self.is_metadata else self.entry["sha256"]

    @property
    def size(self):
        """The size the page promised (None: not said; metadata files' never are)."""
        return None if self.is_metadata else self.entry.get("size")

    @property
    def path(self):
        return storage_path(self.entry["sha256"], self.filename)

    @property
    def upstream_url(self):
        return self.entry["upstream_url"] + (METADATA_SUFFIX if self.is_metadata else "")


def find(normalized_name, sha256, filename, is_metadata=False):
    """The Wanted file of a cached upstream page, or None (not on the page, or no metadata file)."""
    row = pages.stored_row(normalized_name)
    if row is None:
        return None
    entry = next((f for f in row.files if f["sha256"] == sha256 and f["filename"] == filename), None)
    if entry is None or (is_metadata and not entry["metadata_sha256"]):
        return None
    return Wanted(normalized_name, row.upstream, entry, is_metadata)
