"""Who may do what on a project. Every maintainer-portal view calls these on the server side.

Rules (as on pypi.org): Owners may do everything; Maintainers may upload and manage releases
(yank, un-yank, delete files and releases) but not collaborators or project settings; anybody
else gets a 404, so the portal does not confirm what they cannot manage.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Project, Role
from .names import normalize_name


def role_of(user, project):
    if not user.is_authenticated:
        return None
    return Role.objects.filter(user=user, project=project).values_list("role_name", flat=True).first()


def managed_project(request, name, *, owner=False):
    """The project with this name if request.user has a role on it; (project, role_name).

    Strangers get 404; a Maintainer asking for an Owner-only action gets 403."""
    project = get_object_or_404(Project, normalized_name=normalize_name(name))
    role = role_of(request.user, project)
    if role is None:
        raise Http404("No such project among yours.")
    if owner and role != Role.OWNER:
        raise PermissionDenied("Only an Owner of this project can do that.")
    return project, role


def can_manage_collaborators(role):
    return role == Role.OWNER
