from __future__ import annotations

import io
import logging
from typing import IO, TYPE_CHECKING

from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import F

from ..digests import digests_of, digests_of_file
from ..models import File, FilenameLog, FileProvenance
from ..storage import file_path, package_storage
from .journal import record
from .projects import _delete_stored_after_commit, _stored_paths

if TYPE_CHECKING:
    from accounts.models import User

    from ..models import Release
    from .journal import Actor

logger = logging.getLogger(__name__)


def stored_sha256(storage: Storage, path: str) -> tuple[str, int]:
    """(sha256 hex, size) of a stored object."""
    with storage.open(path, "rb") as handle:
        digests, size = digests_of_file(handle)
    return digests["sha256"], size


def store_bytes(path: str, fileobj: IO[bytes], stored_paths: list[str], sha256: str) -> str:
    """Save to package storage at exactly `path`; remember it so a failure can undo it.

    An object already at `path` (left by an upload whose process died before its commit) is
    reused only when its bytes are the ones expected (`sha256`); otherwise it is replaced."""
    storage = package_storage()
    if storage.exists(path):
        if stored_sha256(storage, path)[0] == sha256:
            return path
        logger.warning("replacing %s: the stored bytes are not the upload's", path)
        storage.delete(path)
    saved = storage.save(path, fileobj)
    if saved != path:  # a storage that renamed would break content addressing
        storage.delete(saved)
        raise RuntimeError(f"storage saved {path!r} as {saved!r}")
    stored_paths.append(path)
    return path


def add_file(
    release: Release,
    *,
    filename: str,
    packagetype: str,
    python_version: str,
    fileobj: IO[bytes],
    size: int,
    digests: dict[str, str],
    user: User | None,
    metadata_bytes: bytes | None = None,
    published_by: str = "",
    provenance: str | None = None,
) -> File:
    """Store a distribution (and its PEP 658 metadata) and record it, all or nothing.

    `digests` holds md5, sha256 and blake2_256 hex digests computed from the bytes; `published_by`
    names the trusted publisher of an upload made with a minted token (then `user` is None), and
    `provenance` is its verified PEP 740 provenance document (JSON text) when it had attestations.
    A failure at any point deletes whatever was already written to storage.
    """
    stored_paths: list[str] = []
    try:
        with transaction.atomic(savepoint=False):  # upload path: see the package docstring
            path = file_path(digests["blake2_256"], filename)
            metadata_sha256 = metadata_b2 = ""
            FilenameLog.objects.create(filename=filename)
            fileobj.seek(0)
            store_bytes(path, fileobj, stored_paths, digests["sha256"])
            if metadata_bytes is not None:
                metadata_digests = digests_of(metadata_bytes)
                metadata_sha256, metadata_b2 = metadata_digests["sha256"], metadata_digests["blake2_256"]
                store_bytes(f"{path}.metadata", io.BytesIO(metadata_bytes), stored_paths, metadata_sha256)
            file = File.objects.create(
                release=release,
                filename=filename,
                packagetype=packagetype,
                python_version=python_version,
                size=size,
                md5_digest=digests["md5"],
                sha256_digest=digests["sha256"],
                blake2_256_digest=digests["blake2_256"],
                path=path,
                uploader=user,
                published_by=published_by,
                provenance_sha256=digests_of(provenance.encode())["sha256"] if provenance else "",
                metadata_sha256=metadata_sha256,
                metadata_blake2_256=metadata_b2,
            )
            if provenance:
                FileProvenance.objects.create(file=file, document=provenance)
            record(
                release.project,
                f"add {python_version} file {filename}",
                version=release.version,
                user=user,
                project_updates={"total_size": F("total_size") + size},
            )
            return file
    except BaseException:
        storage = package_storage()
        for stored in stored_paths:
            storage.delete(stored)
        raise


@transaction.atomic
def delete_file(file: File, actor: Actor, reason: str = "") -> None:
    release = file.release
    paths = _stored_paths([file])
    filename = file.filename
    file.delete()
    action = f"remove file {filename}{': ' + reason if reason else ''}"
    record(
        release.project,
        action,
        version=release.version,
        user=actor,
        project_updates={"total_size": F("total_size") - file.size},
    )
    _delete_stored_after_commit(paths)
