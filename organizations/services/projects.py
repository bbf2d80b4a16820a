"""An organization's projects: created in it (portal, or a first upload with a token scoped
to it), moved into it, moved out of it (which drops its team roles and makes it public)."""

from django.db import transaction

from packages import flags
from packages import services as package_services
from packages.models import Project, Role
from packages.names import normalize_name

from ..models import Organization, TeamProjectRole
from .errors import OrganizationError
from .events import record_event, record_project


@transaction.atomic(savepoint=False)  # also the upload path's (packages/services/__init__.py)
def create_in(organization, name, user):
    """A new project in the organization, `user` its Owner (the name already checked)."""
    project = package_services.create_project(name, user, organization=organization)
    record_project(project, f"created in organization {organization.name}", user)
    record_event(organization, f"create project {project.name}", user)
    return project


@transaction.atomic
def create_project(organization, name, user):
    """A project created from the portal: the new-project name rules of an upload apply."""
    from api.upload.errors import UploadError
    from api.upload.project_names import check_name_syntax, check_new_project_name

    if Organization.objects.filter(pk=organization.pk, is_frozen=True).exists():
        raise OrganizationError(f"{organization.name} is frozen by the index staff: it takes no new projects.")
    if flags.is_enabled(flags.DISALLOW_NEW_PROJECT):
        raise OrganizationError("New project registration is temporarily disabled by the index staff.")
    name = (name or "").strip()
    try:
        check_name_syntax(name)
        check_new_project_name(name)
    except UploadError as exc:
        raise OrganizationError(exc.message) from None
    if Project.objects.filter(normalized_name=normalize_name(name)).exists():
        raise OrganizationError(f"A project called '{name}' exists already.")
    return create_in(organization, name, user)


def _locked(project):
    """The caller's project, row-locked and with its current organization and privacy."""
    list(Project.objects.select_for_update().filter(pk=project.pk).values_list("pk"))
    project.refresh_from_db(fields=["organization", "is_private"])
    return project


@transaction.atomic
def move_in(project, organization, actor):
    """Move a project that belongs to no organization into this one."""
    project = _locked(project)
    if project.organization_id == organization.pk:
        raise OrganizationError(f"{project.name} is already a project of {organization.name}.")
    if project.organization_id is not None:
        raise OrganizationError(f"{project.name} belongs to another organization: it must be moved out of it first.")
    project.organization = organization
    project.save(update_fields=["organization"])
    record_project(project, f"moved into organization {organization.name}", actor)
    record_event(organization, f"add project {project.name}", actor)
    return project


@transaction.atomic
def move_out(project, actor, *, new_owner=None):
    """Move a project out of its organization: its team roles go, it becomes public, and it
    keeps an Owner of its own (`new_owner`, or the actor when it had none but through the
    organization)."""
    project = _locked(project)
    organization = project.organization
    if organization is None:
        raise OrganizationError(f"{project.name} belongs to no organization.")
    for role in TeamProjectRole.objects.filter(project=project).select_related("team"):
        record_project(project, f"remove team {organization.name}/{role.team.name} ({role.role_name})", actor)
        role.delete()
    owner = new_owner or actor
    if not Role.objects.filter(project=project, role_name=Role.OWNER).exists():
        if owner is None or not owner.is_authenticated:
            raise OrganizationError(f"{project.name} has no Owner of its own: name one to move it out.")
        Role.objects.update_or_create(project=project, user=owner, defaults={"role_name": Role.OWNER})
        record_project(project, f"add {Role.OWNER} {owner.username}", actor)
    # Public again before it leaves (journaled, and its private answers purged from front caches).
    package_services.set_private(project, False, actor, "moved out of its organization")
    project.organization = None
    project.save(update_fields=["organization"])
    record_project(project, f"moved out of organization {organization.name}", actor)
    record_event(organization, f"remove project {project.name}", actor)
    return project
