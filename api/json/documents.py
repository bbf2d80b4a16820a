"""Looks up what the JSON API documents describe; the serializers turn it into pypi.org's shape.

Kept apart from the views so XML-RPC and the views share one definition of "latest"; which
projects are visible (quarantined ones never are) is packages.lookups.public_project's rule.
"""

from dataclasses import dataclass, field

from organizations.models import Organization
from packages.models import File, Project, Release, Role, latest_release


def has_release(project):
    """pypi.org answers 404 for a project document until the project has a release."""
    return project.releases.exists()


def find_release(project, version):
    """The release equal to `version` under PEP 440 (`1.5.0` finds `1.5`)."""
    return Release.objects.for_version(project, version)


def ownership(project):
    """As pypi.org fills it (warehouse #19525, the successor of XML-RPC package_roles): `roles` are
    the project's own collaborators only, Owners first (roles through teams or the organization
    are not listed); `organization` is the owning organization's name, or None. Moving a project
    in or out of an organization journals it, so the serial-keyed cache never shows a stale one."""
    roles = Role.objects.filter(project=project).select_related("user")
    ordered = sorted(roles, key=lambda r: (r.role_name != Role.OWNER, r.user.username))
    organization = None
    if project.organization_id is not None:
        organization = Organization.objects.filter(pk=project.organization_id).values_list("name", flat=True).first()
    return {"roles": [{"role": r.role_name, "user": r.user.username} for r in ordered], "organization": organization}


@dataclass
class Document:
    """What one JSON document is about; `releases` stays None for release documents."""

    project: Project
    info: Release
    urls: list
    last_serial: int
    ownership: dict
    releases: dict | None = None
    vulnerabilities: list = field(default_factory=list)


def _files_by_release(project):
    files = File.objects.filter(release__project=project).select_related("release").order_by("filename")
    grouped = {}
    for f in files:
        grouped.setdefault(f.release_id, []).append(f)
    return grouped


def project_document(project):
    """The project document, or None when the project has no release yet (pypi.org answers 404)."""
    releases = sorted(project.releases.all(), key=lambda r: r.parsed_version)
    latest = latest_release(releases)
    if latest is None:
        return None
    files = _files_by_release(project)
    return Document(
        project=project,
        info=latest,
        urls=files.get(latest.pk, []),
        last_serial=project.last_serial,
        ownership=ownership(project),
        releases={r.version: files.get(r.pk, []) for r in releases},
    )


def release_document(project, release):
    files = list(release.files.select_related("release").order_by("filename"))
    return Document(
        project=project, info=release, urls=files, last_serial=project.last_serial, ownership=ownership(project)
    )
