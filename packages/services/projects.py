from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction

import outbox

from ..cache import purge_files_on_commit
from ..models import File, JournalEntry, Project, Role
from ..storage import package_storage
from .journal import record

if TYPE_CHECKING:
    from accounts.models import User
    from organizations.models import Organization

    from .journal import Actor


@transaction.atomic(savepoint=False)  # upload path: see the package docstring
def create_project(name: str, user: User, organization: Organization | None = None) -> Project:
    """Create a project (in `organization`, when given: organizations/services/projects.py
    journals that) and make `user` its Owner."""
    project = Project.objects.create(name=name, organization=organization)
    record(project, "create", user=user)
    Role.objects.create(user=user, project=project, role_name=Role.OWNER)
    record(project, f"add {Role.OWNER} {user.username}", user=user)
    return project


@transaction.atomic
def add_role(project: Project, user: User, role_name: str, actor: Actor) -> Role:
    role = Role.objects.create(user=user, project=project, role_name=role_name)
    record(project, f"add {role_name} {user.username}", user=actor)
    return role


@transaction.atomic
def change_role(role: Role, new_role_name: str, actor: Actor) -> Role:
    old = role.role_name
    role.role_name = new_role_name
    role.save(update_fields=["role_name"])
    record(role.project, f"change {old} {role.user.username} to {new_role_name}", user=actor)
    return role


@transaction.atomic
def remove_role(role: Role, actor: Actor) -> None:
    project = role.project
    role.delete()
    record(project, f"remove {role.role_name} {role.user.username}", user=actor)


@transaction.atomic
def record_username_change(user: User, old_username: str, actor: Actor) -> None:
    """Usernames show in their projects' documents (JSON API "ownership", cached per serial):
    journal a rename on each of the user's projects so their serials move."""
    for role in user.roles.select_related("project"):
        record(role.project, f"rename user {old_username} to {user.username}", user=actor)


@transaction.atomic
def set_status(project: Project, status: str, actor: Actor, reason: str = "") -> Project:
    """Change the PEP 792 status (active, archived, deprecated, quarantined)."""
    old = project.status
    project.status = status
    project.status_reason = reason
    project.save(update_fields=["status", "status_reason"])
    if status == Project.Status.QUARANTINED and old != status:
        purge_files_on_commit(_project_stored_paths(project))
    action = f"project status {old} -> {status}"
    record(project, f"{action}: {reason}" if reason else action, user=actor)
    return project


class PrivacyRefused(Exception):
    """The project cannot be made private; the message says why."""


@transaction.atomic
def set_private(project: Project, private: bool, actor: Actor, reason: str = "") -> Project:
    """Make a project private (it then exists only for those packages/permissions.py lets see
    it) or public again. Only a project of a private-capable organization can become private.
    Who may ask is the caller's check (permissions.can_set_private; staff in the admin).

    The journal entry moves the serials (Django's page caches, /simple/'s listing) and purges the
    project's pages and /simple/ from the front caches; the front cache's "may serve" answers for
    its files are purged too, so nothing public of it is left in a shared cache."""
    if project.is_private == private:
        return project
    # (mypy can't tell that organization is set from organization_id not being None.)
    if private and (project.organization_id is None or not project.organization.private_capable):  # type: ignore[union-attr]
        raise PrivacyRefused(
            f"{project.name} is not in a private-capable organization: only such an organization's "
            "projects can be private (the index's staff make an organization private-capable)."
        )
    project.is_private = private
    project.save(update_fields=["is_private"])
    # Its whole history goes with it: a private name never reaches the mirrors' changelog, even
    # after the project is deleted (the entries outlive it).
    JournalEntry.objects.filter(project=project).update(is_private=private)
    purge_files_on_commit(_project_stored_paths(project))
    action = "set private" if private else "set public"
    record(project, f"{action}: {reason}" if reason else action, user=actor)
    return project


@transaction.atomic
def delete_project(project: Project, actor: Actor, reason: str = "") -> None:
    """Remove a project with all its releases and files. Filenames stay reserved forever."""
    paths = _project_stored_paths(project)
    record(project, f"remove project{': ' + reason if reason else ''}", user=actor)
    project.delete()
    _delete_stored_after_commit(paths)


def _stored_paths(files: Iterable[File]) -> list[str]:
    """Storage paths of these files and of their PEP 658 metadata files."""
    paths = []
    for f in files:
        paths.extend([f.path, f.metadata_path] if f.has_metadata else [f.path])
    return paths


def _project_stored_paths(project: Project) -> list[str]:
    """Storage paths of every file of `project` (one query, two columns)."""
    return _stored_paths(File.objects.filter(release__project=project).only("path", "metadata_sha256"))


def _delete_stored_after_commit(paths: list[str]) -> None:
    """Delete stored bytes only once the rows are gone for good (never on rollback), and
    tell the front cache those URLs are gone: both outbox messages of this transaction."""
    purge_files_on_commit(paths)
    if paths:
        outbox.enqueue(delete_unreferenced, list(paths))


def delete_unreferenced(paths: Iterable[str]) -> None:
    """Delete these stored objects (distribution or .metadata paths) unless a committed File row
    refers to them: after a failed upload, and as the outbox handler after a deletion."""
    storage = package_storage()
    for path in paths:
        base = path.removesuffix(".metadata")
        if not File.objects.filter(path=base).exists() and storage.exists(path):
            storage.delete(path)
