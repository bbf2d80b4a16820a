from django.db import transaction
from packaging.version import Version

from ..models import Classifier, Release
from ..names import canonical_version
from .journal import record
from .projects import _delete_stored_after_commit

# Core-metadata fields stored directly on Release (lists/dicts are JSON fields).
RELEASE_METADATA_FIELDS = [
    "metadata_version", "summary", "description", "description_content_type", "keywords",
    "home_page", "download_url", "author", "author_email", "maintainer", "maintainer_email",
    "license", "license_expression", "license_files", "platform", "supported_platform",
    "project_urls", "requires_python", "requires_dist", "provides_extra", "requires_external",
    "provides_dist", "obsoletes_dist", "dynamic",
]  # fmt: skip


def apply_metadata(release, metadata: dict):
    """Copy known core-metadata fields onto a release; classifiers go to the M2M after save."""
    for field in RELEASE_METADATA_FIELDS:
        if field in metadata and metadata[field] is not None:
            setattr(release, field, metadata[field])


def _set_classifiers(release, names):
    classifiers = [Classifier.objects.get_or_create(name=n)[0] for n in names]
    release.classifiers.set(classifiers)


@transaction.atomic
def create_release(project, version: str, metadata: dict, user) -> Release:
    parsed = Version(version)
    release = Release(
        project=project,
        version=version,
        canonical_version=canonical_version(parsed),
        is_prerelease=parsed.is_prerelease,
        uploader=user,
    )
    apply_metadata(release, metadata)
    release.save()
    _set_classifiers(release, metadata.get("classifiers") or [])
    record(project, "new release", version=version, user=user)
    return release


@transaction.atomic
def yank_release(release, reason, actor):
    release.yanked = True
    release.yanked_reason = reason or ""
    release.save(update_fields=["yanked", "yanked_reason"])
    record(release.project, "yank release", version=release.version, user=actor)
    return release


@transaction.atomic
def unyank_release(release, actor):
    release.yanked = False
    release.yanked_reason = ""
    release.save(update_fields=["yanked", "yanked_reason"])
    record(release.project, "unyank release", version=release.version, user=actor)
    return release


@transaction.atomic
def delete_release(release, actor, reason=""):
    project = release.project
    paths = []
    freed = 0
    for f in release.files.all():
        paths.extend([f.path, f.metadata_path] if f.has_metadata else [f.path])
        freed += f.size
    version = release.version
    release.delete()
    project.total_size = max(0, project.total_size - freed)
    project.save(update_fields=["total_size"])
    record(project, f"remove release{': ' + reason if reason else ''}", version=version, user=actor)
    _delete_stored_after_commit(paths)
