"""Lookups shared by management commands, with errors a person can act on."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from packaging.version import InvalidVersion

from packages.models import Project, Release
from packages.names import canonical_version, normalize_name


def get_project(name):
    project = Project.objects.filter(normalized_name=normalize_name(name)).first()
    if project is None:
        raise CommandError(f"No project named '{name}'.")
    return project


def get_release(project_name, version):
    project = get_project(project_name)
    try:
        canonical = canonical_version(version)
    except InvalidVersion:
        raise CommandError(f"'{version}' is not a valid PEP 440 version.") from None
    release = Release.objects.filter(project=project, canonical_version=canonical).first()
    if release is None:
        raise CommandError(f"Project '{project.name}' has no release {version}.")
    return release


def get_user(username, required=True):
    if username is None and not required:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No user named '{username}'.")
    return user
