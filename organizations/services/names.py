"""Organization names: project-name rules (PEP 508 syntax, PEP 503 normalization), and never a
name a project, another organization, a pending application or the staff's prohibitions hold.
The reverse rule (no new project takes an organization's name) is api/upload/project_names.py's."""

from packages.models import ProhibitedProjectName, Project
from packages.names import is_valid_name, normalize_name

from ..models import Organization, OrganizationApplication
from .errors import OrganizationError

MAX_NAME_LENGTH = 50


def check_name(name, *, application=None):
    """The (name, normalized name) an organization may take, or OrganizationError saying why not.
    `application`: the pending application being approved (its own claim does not count)."""
    name = (name or "").strip()
    if len(name) > MAX_NAME_LENGTH:
        raise OrganizationError(f"An organization name has at most {MAX_NAME_LENGTH} characters.")
    if not is_valid_name(name):
        raise OrganizationError(
            "An organization name follows the project-name rules: ASCII letters and digits, with '.', '_' and '-' "
            "between them."
        )
    normalized = normalize_name(name)
    if Project.objects.filter(normalized_name=normalized).exists():
        raise OrganizationError(f"The name '{name}' is a project's name: an organization cannot take it.")
    if Organization.objects.filter(normalized_name=normalized).exists():
        raise OrganizationError(f"The name '{name}' is another organization's name.")
    pending = OrganizationApplication.objects.filter(
        normalized_name=normalized, status=OrganizationApplication.Status.PENDING
    )
    if application is not None:
        pending = pending.exclude(pk=application.pk)
    if pending.exists():
        raise OrganizationError(f"An application for the name '{name}' is already waiting for the index staff.")
    if ProhibitedProjectName.objects.filter(name=normalized).exists():
        raise OrganizationError(f"The name '{name}' isn't allowed: the index staff prohibited it.")
    return name, normalized
