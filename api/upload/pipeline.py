"""The upload pipeline: authenticate -> validate -> store -> record.

Each step is a small function; the view calls `handle_upload` and turns an UploadError into
the response twine shows. Storage and rows are written together or not at all: the rows in
one transaction, and any stored bytes that no committed row refers to are deleted on failure.
"""
from django.db import IntegrityError, connection, transaction

from packages import services
from packages.models import File
from packages.storage import file_path, package_storage

from . import distributions, policy, validation
from .auth import authenticate, check_account
from .form import UploadForm, parse_form

OK_IDENTICAL = "OK (file already uploaded, identical; nothing changed)"
OK_VALIDATE_ONLY = "OK (validate only: every check passed; nothing was stored)"


def handle_upload(request) -> str:
    policy.check_uploads_enabled()
    uploader = authenticate(request)  # headers only: the body is read after this
    check_account(uploader)
    form = parse_form(request)
    version, python_version = validation.validate_form(form)
    digests, size = validation.compute_digests(form.content)
    validation.check_digests(form.digests, digests)
    project = policy.find_project(form.name)
    if project is not None:
        policy.check_may_upload(uploader, project)
    if policy.is_identical_reupload(form.filename, digests):
        return OK_IDENTICAL
    policy.check_against_index(uploader, form, version, digests, size, project)
    metadata_bytes = distributions.read_metadata(form, form.content.temporary_file_path(), size)
    if form.validate_only:
        return OK_VALIDATE_ONLY
    return store(uploader, form, version, python_version, digests, size, metadata_bytes)


def store(uploader, form, version, python_version, digests, size, metadata_bytes) -> str:
    """Write rows and bytes; a lost race for a new project name is retried once under the lock."""
    for attempt in (1, 2):
        try:
            store_and_record(uploader, form, version, python_version, digests, size, metadata_bytes)
            return "OK"
        except IntegrityError:
            if policy.is_identical_reupload(form.filename, digests):  # raises "File already exists"
                return OK_IDENTICAL
            if attempt == 2:
                raise policy.file_exists_error(form.filename, digests["blake2_256"]) from None
    return "OK"  # pragma: no cover


def store_and_record(uploader, form: UploadForm, version, python_version, digests, size, metadata_bytes):
    path = file_path(digests["blake2_256"], form.filename)
    try:
        with transaction.atomic():
            _take_write_lock()
            # The same rules again, now under the project lock: a racing upload may have won.
            project = policy.find_project(form.name, lock=True)
            release = policy.check_against_index(uploader, form, version, digests, size, project)
            if project is None:
                project = services.create_project(form.name, uploader.user)
            if release is None:
                release = services.create_release(project, form.version, form.metadata, uploader.user)
            services.add_file(
                release,
                filename=form.filename,
                packagetype=form.filetype,
                python_version=python_version,
                fileobj=form.content,
                size=size,
                digests=digests,
                user=uploader.user,
                metadata_bytes=metadata_bytes if form.filetype == "bdist_wheel" else None,
            )
    except BaseException:
        remove_unreferenced([path, f"{path}.metadata"])
        raise


def _take_write_lock():
    """SQLite has no row locks: a no-op write takes its database write lock first, so racing
    uploads queue (busy timeout) instead of deadlocking on a read-to-write upgrade. PostgreSQL
    uses the project row lock (select_for_update) and the unique indexes instead."""
    if connection.vendor == "sqlite":
        from packages.models import Project

        Project.objects.filter(pk=-1).update(total_size=0)


def remove_unreferenced(paths):
    """After a failed transaction: delete stored bytes that no committed File row points at."""
    storage = package_storage()
    for path in paths:
        base = path.removesuffix(".metadata")
        if not File.objects.filter(path=base).exists() and storage.exists(path):
            storage.delete(path)

