"""The upload pipeline, in the order `handle_upload` runs it:

1. kill switch and credentials, from the headers alone (auth.py), before the body is read;
2. the body, streamed to a temporary file, hashed and cut off at the size limit (form.py,
   multipart.py, handlers.py);
3. the checks that need only the request: form, filename, metadata, README (validation.py),
   then the digests, then PEP 740 attestations (attestations.py);
4. under the project's lock, in one transaction: the checks against the index (policy.py,
   project_names.py), then the archive's contents (distributions.py), then the rows, the
   bytes, the journal and the search index (packages.services).

The view calls `handle_upload` and turns an UploadError into the response twine shows.
Storage and rows are written together or not at all: the rows in one transaction, and any
stored bytes that no committed row refers to are deleted on failure.
"""

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest
from packaging.version import Version

import outbox
from core import metrics
from packages import search, services
from packages.storage import file_path

from . import attestations, distributions, policy, publishers, validation
from .auth import Uploader, authenticate, check_account
from .form import UploadForm, parse_form

OK_IDENTICAL = "OK (file already uploaded, identical; nothing changed)"
OK_VALIDATE_ONLY = "OK (validate only: every check passed; nothing was stored)"


def handle_upload(request: HttpRequest) -> str:
    policy.check_uploads_enabled()
    uploader = authenticate(request)  # headers only: the body is read after this
    check_account(uploader)
    form = parse_form(request)
    version, python_version = validation.validate_form(form)
    digests, size = validation.compute_digests(form.content)
    validation.check_digests(form.digests, digests)
    form.provenance = attestations.verify(uploader, form, digests)  # before the lock: it is slow
    return store(uploader, form, version, python_version, digests, size)


def store(
    uploader: Uploader, form: UploadForm, version: Version, python_version: str, digests: dict[str, str], size: int
) -> str:
    """Check and write under the lock; a lost race for a new project name is retried once."""
    for attempt in (1, 2):
        try:
            return check_store_and_record(uploader, form, version, python_version, digests, size)
        except IntegrityError:
            # The racing upload stored this very file: the same answer as when it came first.
            # Other bytes under the name: the second attempt refuses them (check_filename_unused).
            if policy.is_identical_reupload(form.filename, digests):
                return OK_IDENTICAL
            if attempt == 2:
                raise policy.file_exists_error(form.filename, digests["blake2_256"]) from None
    return "OK"  # pragma: no cover


def check_store_and_record(
    uploader: Uploader, form: UploadForm, version: Version, python_version: str, digests: dict[str, str], size: int
) -> str:
    """Every rule that reads the index, then the rows and bytes, in one transaction.

    The rules run once, under the project's row lock (SQLite: its write lock), so two racing
    uploads can't both pass them; they run before the archive is opened, so a refused upload
    costs no archive parsing.
    """
    path = file_path(digests["blake2_256"], form.filename)
    writing = False  # set once bytes may reach storage; a refusal before that leaves it alone
    # Stored before any byte is: if this process dies between storing and committing, the
    # periodic outbox relay deletes the unreferenced objects once the grace period is over. The
    # upload's own transaction deletes it, so a committed upload leaves nothing to do.
    intent = (
        None
        if form.validate_only
        else outbox.hold(
            services.delete_unreferenced, [path, f"{path}.metadata"], after_seconds=settings.ORPHAN_GRACE_SECONDS
        )
    )
    committing = False
    try:
        with transaction.atomic():
            _take_write_lock()
            project, access = policy.lock_project(form.name, uploader)
            if project is not None:
                policy.check_may_upload(uploader, project, access)
            same_name_or_bytes = policy.files_with_name_or_bytes(form.filename, digests)
            if policy.is_identical_reupload(form.filename, digests, same_name_or_bytes):
                return OK_IDENTICAL
            release = policy.check_against_index(uploader, form, version, digests, size, project, same_name_or_bytes)
            metadata_bytes = distributions.read_metadata(form, form.content.temporary_file_path(), size)
            if form.validate_only:
                return OK_VALIDATE_ONLY  # nothing was written: the transaction has nothing to commit
            writing = True
            # The journal entries and the search index are written once, at the end of the change.
            with services.batched_journal(), search.batched():
                if project is None:
                    project = publishers.create_project(uploader, form.name)
                if release is None:
                    release = services.create_release(project, form.version, form.metadata, uploader.actor)
                services.add_file(
                    release,
                    filename=form.filename,
                    packagetype=form.filetype,
                    python_version=python_version,
                    fileobj=form.content,
                    size=size,
                    digests=digests,
                    user=uploader.actor,
                    metadata_bytes=metadata_bytes if form.filetype == "bdist_wheel" else None,
                    published_by=publishers.published_by(uploader),
                    provenance=form.provenance,
                )
                publishers.record_published(uploader, release, form.filename)
                _pause_for_kill_tests()
                outbox.cancel(intent)
            transaction.on_commit(lambda: metrics.upload_stored(size))
            committing = True
            return "OK"
    except BaseException:
        if writing:
            services.delete_unreferenced([path, f"{path}.metadata"])
        raise
    finally:
        if intent is not None and not committing:
            outbox.cancel(intent)


def _pause_for_kill_tests() -> None:
    """Test hook (settings.UPLOAD_TEST_PAUSE_FILE, never set in production): the bytes are
    stored, the rows not committed; write this process's pid there and wait to be killed."""
    if settings.UPLOAD_TEST_PAUSE_FILE:
        import os
        import time

        with open(settings.UPLOAD_TEST_PAUSE_FILE, "w") as marker:
            marker.write(str(os.getpid()))
        time.sleep(120)


def _take_write_lock() -> None:
    """SQLite has no row locks: a no-op write takes its database write lock first, so racing
    uploads queue (busy timeout) instead of deadlocking on a read-to-write upgrade. PostgreSQL
    uses the project row lock (select_for_update) and the unique indexes instead."""
    if connection.vendor == "sqlite":
        from packages.models import Project

        Project.objects.filter(pk=-1).update(total_size=0)
