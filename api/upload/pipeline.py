"""The upload pipeline: authenticate -> validate -> store -> record.

Each step is a small function; the view calls `handle_upload` and turns an UploadError
into the response twine shows. Storage and rows are written together or not at all.
"""
from django.db import IntegrityError, transaction

from packages import services
from packages.models import File, FilenameLog, Project, Release, Role
from packages.names import normalize_name

from . import distributions, validation
from .auth import Uploader, authenticate
from .errors import UploadError
from .form import UploadForm, parse_form

FILE_EXISTS_HELP = "https://pypi.org/help/#file-name-reuse"


def handle_upload(request) -> str:
    uploader = authenticate(request)
    form = parse_form(request.POST, request.FILES)
    version = validation.check_name_and_version(form)
    validation.check_filename(form, version)
    digests, size = validation.compute_digests(form.content)
    validation.check_digests(form.digests, digests)
    if _is_identical_reupload(form.filename, digests):
        return "OK (file already uploaded, identical; nothing changed)"
    metadata_bytes = distributions.read_metadata(form, form.content.temporary_file_path())
    try:
        store_and_record(uploader, form, digests, size, metadata_bytes)
    except IntegrityError:
        # A concurrent upload of the same filename won the race.
        if _is_identical_reupload(form.filename, digests):
            return "OK (file already uploaded, identical; nothing changed)"
        raise _file_exists(form.filename, digests) from None
    return "OK"


def _is_identical_reupload(filename, digests):
    existing = File.objects.filter(filename=filename).values_list("blake2_256_digest", flat=True).first()
    if existing is None:
        return False
    if existing == digests["blake2_256"]:
        return True
    raise _file_exists(filename, digests)


def _file_exists(filename, digests):
    return UploadError(
        f"File already exists ('{filename}', with blake2_256 hash '{digests['blake2_256']}'). "
        f"See {FILE_EXISTS_HELP} for more information.",
        code="file_exists", field="content", help_url=FILE_EXISTS_HELP,
    )


def project_for_upload(uploader: Uploader, name) -> Project:
    """Find the project and check the uploader's role, or create it with the uploader as Owner."""
    project = Project.objects.select_for_update().filter(normalized_name=normalize_name(name)).first()
    if project is None:
        if not uploader.may_create_projects():
            raise UploadError(
                f"The given token isn't allowed to upload to project '{name}': it is scoped to "
                f"project '{uploader.token.project.name}'.", status=403, code="forbidden",
            )
        return services.create_project(name, uploader.user)
    if uploader.token is not None and uploader.token.project_id not in (None, project.id):
        raise UploadError(
            f"The given token isn't allowed to upload to project '{project.name}': it is scoped to "
            f"project '{uploader.token.project.name}'.", status=403, code="forbidden",
        )
    if not Role.objects.filter(project=project, user=uploader.user).exists():
        raise UploadError(
            f"The user '{uploader.user.username}' isn't allowed to upload to project '{project.name}'. "
            "Ask an Owner of the project to add you as a collaborator.", status=403, code="forbidden",
        )
    return project


def release_for_upload(project, form, version, user) -> Release:
    release = Release.objects.filter(project=project, canonical_version=str(version)).first()
    if release is None:
        release = services.create_release(project, form.version, form.metadata, user)
    return release


def store_and_record(uploader, form: UploadForm, digests, size, metadata_bytes):
    from packaging.version import Version

    with transaction.atomic():
        if FilenameLog.objects.filter(filename=form.filename).exists():
            raise UploadError(
                "This filename was previously used by a file that has since been deleted. "
                "Use a different version.", code="filename_reused", field="content", help_url=FILE_EXISTS_HELP,
            )
        project = project_for_upload(uploader, form.name)
        release = release_for_upload(project, form, Version(form.version), uploader.user)
        python_version = "source" if form.filetype == "sdist" else form.filename.split("-")[-3]
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
