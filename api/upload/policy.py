"""Checks against the index's current state: kill switches, roles and token scopes, filename
reuse, new-project rules and rate limit, release age, one sdist per release, size limits.

Each is a small function; the pipeline runs them once, under the project lock inside the
storing transaction, so two racing uploads can't both pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.throttles import parse_rate
from core import rawsql
from organizations import permissions as org_permissions
from organizations.models import Organization
from packages import flags
from packages.models import File, FilenameLog, JournalEntry, Project, Release
from packages.names import canonical_version, normalize_name
from packages.permissions import has_role_sql, user_can_see

from . import limits, publishers
from .errors import UploadError, help_url
from .project_names import check_new_project_name

if TYPE_CHECKING:
    from packaging.version import Version

    from accounts.models import ApiToken, User

    from .auth import Uploader
    from .form import UploadForm

# What files_with_name_or_bytes() found: (filename, blake2_256), "" for a FilenameLog entry.
NameOrBytesRows = list[tuple[str, str]]
Digests = dict[str, str]


def check_uploads_enabled() -> None:
    if flags.is_enabled(flags.DISALLOW_NEW_UPLOAD):
        raise UploadError(
            "New uploads are temporarily disabled by the index staff. Please try again later.",
            status=503,
            code="uploads_disabled",
            help_url=help_url("kill-switches"),
        )


# The three lookups every upload makes (the project, the files with its name or bytes, the
# release) are plain SQL (core/rawsql.py). Measured with `bench/upload_loop.py --lookups`
# (SQLite, this 2-core machine under the suite's load, best of 5 x 500 calls), plain SQL vs
# the same query through the ORM: lock_project 0.32 vs 6.0 ms, files_with_name_or_bytes 0.13
# vs 1.9 ms, find_release 0.36 vs 4.5 ms: 11.6 ms more per upload through the ORM, 13-18% of
# a whole upload's 66-90 ms in the same conditions (`bench/upload_loop.py`), beyond its noise.
_PROJECT_SKIP = ("search_vector",)  # can be large, and no check reads it


@dataclass(frozen=True)
class Access:
    """What lock_project read beside the project, for check_may_upload."""

    has_role: bool  # own, team or organization Owner: packages/permissions.py's rule
    frozen_organization: str | None = None  # the project's organization's name, when staff froze it


@cache
def _lock_project_sql() -> str:
    p, o = "p", "o"
    frozen = (
        f"SELECT {rawsql.column(Organization, 'name', o)} FROM {rawsql.table(Organization, o)} "
        f"WHERE {rawsql.column(Organization, 'id', o)} = {rawsql.column(Project, 'organization', p)} "
        f"AND {rawsql.column(Organization, 'is_frozen', o)} = %s"
    )
    lock = f" {connection.ops.for_update_sql()}" if connection.features.has_select_for_update else ""
    return (
        f"SELECT {rawsql.select_all(Project, p, _PROJECT_SKIP)}, {has_role_sql(p)}, ({frozen}) "
        f"FROM {rawsql.table(Project, p)} WHERE {rawsql.column(Project, 'normalized_name', p)} = %s{lock}"
    )


def lock_project(name: str, uploader: Uploader) -> tuple[Project | None, Access]:
    """(the project called `name` (any spelling), row-locked, or None when there is no such
    project; whether the uploader holds a role on it and whether its organization is frozen,
    read in the same query for check_may_upload)."""
    user_pk = uploader.user.pk if uploader.user is not None else None  # a publisher holds no role
    row = rawsql.fetch_one(_lock_project_sql(), [user_pk, user_pk, user_pk, True, normalize_name(name)])
    if row is None:
        return None, Access(has_role=False)
    return rawsql.instance(Project, row[:-2], _PROJECT_SKIP), Access(bool(row[-2]), row[-1])


def _scope_error(token: ApiToken, project_name: str) -> UploadError:
    if token.organization is not None:
        scope = f"organization '{token.organization.name}'"
    else:
        assert token.project is not None  # called for scoped tokens only
        scope = f"project '{token.project.name}'"
    return UploadError(
        f"The given token isn't allowed to upload to project '{project_name}': it is scoped to {scope}.",
        status=403,
        code="forbidden",
        help_url=help_url("accounts"),
    )


def _frozen_error(project_name: str, organization_name: str) -> UploadError:
    return UploadError(
        f"The organization '{organization_name}' is frozen by the index staff: its projects take no uploads "
        f"(project '{project_name}'). Its Owners can contact the index staff.",
        status=403,
        code="organization_frozen",
        help_url=help_url("organizations"),
    )


def _out_of_scope(token: ApiToken | None, project: Project | None) -> bool:
    """Whether a user's token is scoped away from `project` (None: a new project)."""
    if token is None:
        return False
    if token.project_id is not None:
        return project is None or token.project_id != project.id
    if token.organization_id is not None:
        return project is not None and token.organization_id != project.organization_id
    return False


def check_may_upload(uploader: Uploader, project: Project, access: Access) -> None:
    """Token scope, role and organization on an existing project (checked before the identical
    re-upload no-op); `access`: lock_project's answer."""
    if uploader.publisher is not None:
        publishers.check_publisher_scope(uploader.publisher, project.name, project)
    elif not user_can_see(uploader.user, project):
        # A private project is no project to them (packages/permissions.py): the name is taken, no more is told.
        raise UploadError(
            f"The name '{project.normalized_name}' isn't available: a project of this index holds it.",
            status=403,
            code="forbidden",
            help_url=help_url("project-names"),
        )
    elif _out_of_scope(uploader.token, project):
        assert uploader.token is not None
        raise _scope_error(uploader.token, project.name)
    elif not access.has_role:
        assert uploader.user is not None  # no publisher: a person's token or password
        raise UploadError(
            f"The user '{uploader.user.username}' isn't allowed to upload to project '{project.name}'. "
            "Ask an Owner of the project to add you as a collaborator.",
            status=403,
            code="forbidden",
            help_url=help_url("accounts"),
        )
    if access.frozen_organization:
        raise _frozen_error(project.name, access.frozen_organization)
    if project.status == Project.Status.ARCHIVED:
        raise UploadError(
            f"Project '{project.name}' is archived: unarchive it before uploading new files.",
            code="project_archived",
            help_url=help_url("releases"),
        )
    if project.status == Project.Status.QUARANTINED:
        raise UploadError(
            f"Project '{project.name}' is quarantined by the index staff; uploads are disabled until the review ends.",
            status=403,
            code="project_quarantined",
            help_url=help_url("kill-switches"),
        )


def file_exists_error(filename: str, blake2_256: str) -> UploadError:
    return UploadError(
        f"File already exists ('{filename}', with blake2_256 hash '{blake2_256}'). "
        f"See {help_url('filename-reuse')} for more information.",
        code="file_exists",
        field="content",
        help_url=help_url("filename-reuse"),
    )


@cache
def _files_with_name_or_bytes_sql() -> str:
    name, b2 = rawsql.column(File, "filename", "f"), rawsql.column(File, "blake2_256_digest", "f")
    logged = rawsql.column(FilenameLog, "filename", "l")
    return (
        f"SELECT {name}, {b2} FROM {rawsql.table(File, 'f')} WHERE {name} = %s OR {b2} = %s "
        f"UNION ALL SELECT {logged}, '' FROM {rawsql.table(FilenameLog, 'l')} WHERE {logged} = %s"
    )


def files_with_name_or_bytes(filename: str, digests: Digests) -> NameOrBytesRows:
    """What the index already holds under this filename or these bytes, in one query:
    [(filename, blake2_256)] of stored files, plus (filename, "") when the name is in the
    FilenameLog (every file ever accepted, deleted ones included). At most four rows."""
    return rawsql.fetch_all(_files_with_name_or_bytes_sql(), [filename, digests["blake2_256"], filename])


def is_identical_reupload(filename: str, digests: Digests, rows: NameOrBytesRows | None = None) -> bool:
    """Whether exactly this file (this name, these bytes) is already stored. Other bytes under
    the name are check_filename_unused's refusal; `rows`: files_with_name_or_bytes(), when read."""
    if rows is None:
        rows = files_with_name_or_bytes(filename, digests)
    return any(name == filename and b2 == digests["blake2_256"] for name, b2 in rows)


def check_filename_unused(filename: str, digests: Digests, rows: NameOrBytesRows) -> None:
    """`rows`: files_with_name_or_bytes(). The filename must be new and never used before, and
    the bytes must not be stored under another name."""
    if any(name == filename and b2 for name, b2 in rows):
        raise file_exists_error(filename, digests["blake2_256"])
    if any(name == filename for name, _ in rows):
        raise UploadError(
            "This filename was previously used by a file that has since been deleted. Use a different version.",
            code="filename_reused",
            field="content",
            help_url=help_url("filename-reuse"),
        )
    other_name = next((name for name, b2 in rows if b2), None)
    if other_name is not None:
        raise UploadError(
            f"The same file was already uploaded as '{other_name}'.",
            code="file_exists",
            field="content",
            help_url=help_url("filename-reuse"),
        )


def _projects_created_since(user: User | None, since: datetime) -> int:
    # Only a new project's first upload asks (the ORM's cost: bench/upload_loop.py --lookups).
    return JournalEntry.objects.filter(submitted_by=user, action="create", submitted_date__gte=since).count()


def _check_organization_may_create(uploader: Uploader, organization: Organization, name: str) -> None:
    assert uploader.user is not None  # an organization-scoped token is a person's
    if not org_permissions.can_create_projects(org_permissions.role_in(uploader.user, organization)):
        raise UploadError(
            f"The user '{uploader.user.username}' isn't allowed to create project '{name}' in the organization "
            f"'{organization.name}': only its Owners and Managers can.",
            status=403,
            code="forbidden",
            help_url=help_url("organizations"),
        )
    if organization.is_frozen:
        raise _frozen_error(name, organization.name)


def check_new_project(uploader: Uploader, name: str) -> None:
    """May this uploader create a project called `name` now? A token scoped to an organization
    creates it in that organization, when its user is an Owner or Manager there."""
    token = uploader.token
    if uploader.publisher is not None:
        publishers.check_publisher_scope(uploader.publisher, name, None)
    elif token is not None and _out_of_scope(token, None):
        raise _scope_error(token, name)
    elif token is not None and token.organization is not None:
        _check_organization_may_create(uploader, token.organization, name)
    if flags.is_enabled(flags.DISALLOW_NEW_PROJECT):
        raise UploadError(
            "New project registration is temporarily disabled by the index staff. Upload files to "
            "existing projects, or try again later.",
            status=403,
            code="new_projects_disabled",
            help_url=help_url("kill-switches"),
        )
    check_new_project_name(name)
    allowed, window = parse_rate(settings.PROJECT_CREATE_RATE)
    since = timezone.now() - timedelta(seconds=window)
    if _projects_created_since(uploader.account, since) >= allowed:
        raise UploadError(
            f"Too many new projects created: at most {allowed} per {window // 60} minutes. Try again later.",
            status=429,
            code="rate_limited",
            help_url=help_url("accounts"),
        )


_RELEASE_SKIP = rawsql.all_but(Release, ("project", "version", "created"))


@cache
def _find_release_sql() -> str:
    r, f = "r", "f"
    has_sdist = (
        f"SELECT 1 FROM {rawsql.table(File, f)} WHERE {rawsql.column(File, 'release', f)} = "
        f"{rawsql.column(Release, 'id', r)} AND {rawsql.column(File, 'packagetype', f)} = %s"
    )
    return (
        f"SELECT {rawsql.select_all(Release, r, _RELEASE_SKIP)}, EXISTS ({has_sdist}) "
        f"FROM {rawsql.table(Release, r)} WHERE {rawsql.column(Release, 'project', r)} = %s "
        f"AND {rawsql.column(Release, 'canonical_version', r)} = %s"
    )


def find_release(project: Project, version: Version) -> tuple[Release | None, bool]:
    """(the release whose version equals `version` (already parsed by validate_form) under
    PEP 440 (2 == 2.0 == 2.0.0), as Release.objects.for_version() finds it, or None; whether it
    has an sdist), in one query. Only the columns the checks and the new File row need (not its README)."""
    row = rawsql.fetch_one(_find_release_sql(), [File.PackageType.SDIST, project.pk, canonical_version(version)])
    if row is None:
        return None, False
    release = rawsql.instance(Release, row[:-1], _RELEASE_SKIP)
    release.project = project  # already locked and loaded: no second query for it
    return release, bool(row[-1])


def check_release(project: Project, version: Version, form: UploadForm) -> Release | None:
    """New files go only to recent releases, and a release has at most one sdist."""
    release, has_sdist = find_release(project, version)
    if release is None:
        return None
    max_age = settings.UPLOAD_MAX_RELEASE_AGE_DAYS
    if max_age and release.created < timezone.now() - timedelta(days=max_age):
        raise UploadError(
            f"New files can't be added to release {release.version} of '{project.name}': it was created more than "
            f"{max_age} days ago. Publish a new version (e.g. a post release) instead.",
            code="release_too_old",
            field="version",
            help_url=help_url("releases"),
        )
    if form.filetype == "sdist" and has_sdist:
        raise UploadError(
            "Only one sdist may be uploaded per release.",
            code="one_sdist",
            field="content",
            help_url=help_url("releases"),
        )
    return release


def check_sizes(project: Project | None, size: int, name: str) -> None:
    if size == 0:
        raise UploadError("The uploaded file is empty.", field="content", code="empty_file")
    if size > limits.file_size_limit(project):
        raise UploadError(
            limits.file_too_large_message(project, name),
            status=413,
            code="too_large",
            field="content",
            help_url=help_url("size-limits"),
        )
    if project is not None and project.total_size + size > limits.total_size_limit(project):
        raise UploadError(
            limits.project_too_large_message(project),
            status=413,
            code="too_large",
            field="content",
            help_url=help_url("size-limits"),
        )


def check_against_index(
    uploader: Uploader,
    form: UploadForm,
    version: Version,
    digests: Digests,
    size: int,
    project: Project | None,
    rows: NameOrBytesRows,
) -> Release | None:
    """Every rule that depends on existing rows, for `project` (None: it will be created), after
    check_may_upload() and is_identical_reupload(); `rows` is files_with_name_or_bytes().

    Returns the existing release the file joins, or None when a new release will be created.
    """
    if project is None:
        check_new_project(uploader, form.name)
    check_filename_unused(form.filename, digests, rows)
    release = check_release(project, version, form) if project is not None else None
    check_sizes(project, size, form.name)
    return release
