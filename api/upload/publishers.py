"""Uploads with a token minted for a trusted publisher (oidc/): where it may upload, and what
its first upload does for a pending publisher (create the project, Owner = who registered it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oidc import services as oidc_services
from organizations.services import projects as org_projects
from packages import services
from packages.names import normalize_name

from .errors import UploadError, help_url

if TYPE_CHECKING:
    from oidc.models import TrustedPublisher
    from packages.models import Project, Release

    from .auth import Uploader


def check_publisher_scope(publisher: TrustedPublisher, name: str, project: Project | None) -> None:
    """A minted token uploads to its publisher's project only; a pending publisher's token may
    create the project it names (and nothing else). `project` is None for a new name."""
    if project is not None and publisher.project_id == project.id:
        return
    if project is None and publisher.is_pending and normalize_name(name) == publisher.pending_name:
        owner = publisher.added_by
        if owner is None or owner.is_frozen or not owner.is_active:
            raise UploadError(
                f"The pending trusted publisher for '{name}' has no active user to own the project.",
                status=403,
                code="forbidden",
                help_url=help_url("trusted-publishing"),
            )
        return
    target = publisher.project.name if publisher.project is not None else f"{publisher.pending_name} (pending)"
    raise UploadError(
        f"The given token isn't allowed to upload to project '{name}': it was minted for the trusted publisher "
        f"{publisher.label} of project '{target}'.",
        status=403,
        code="forbidden",
        help_url=help_url("trusted-publishing"),
    )


def create_project(uploader: Uploader, name: str) -> Project:
    """The new project for this upload: the uploader's (in the organization its token is scoped
    to, if any: policy.check_new_project allowed it), or a pending publisher's."""
    if uploader.publisher is None:
        assert uploader.user is not None  # no publisher: a person's token or password
        token = uploader.token
        if token is not None and token.organization is not None:
            return org_projects.create_in(token.organization, name, uploader.user)
        return services.create_project(name, uploader.user)
    owner = uploader.publisher.added_by
    assert owner is not None  # check_publisher_scope refused a pending publisher without one
    project = services.create_project(name, owner)
    oidc_services.activate_pending(uploader.publisher, project)
    return project


def record_published(uploader: Uploader, release: Release, filename: str) -> None:
    """ "published by <publisher>" in the project's history, next to the file's own entry."""
    if uploader.publisher is not None:
        services.record(
            release.project,
            f"{filename} published by trusted publisher {uploader.publisher.label}",
            version=release.version,
        )


def published_by(uploader: Uploader) -> str:
    return uploader.publisher.label if uploader.publisher is not None else ""
