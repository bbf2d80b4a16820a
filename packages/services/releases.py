from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from packaging.version import Version

from core import readme

from ..models import Classifier, Release
from ..names import canonical_version
from .journal import record
from .projects import _delete_stored_after_commit, _stored_paths

if TYPE_CHECKING:
    from accounts.models import User

    from ..models import Project
    from .journal import Actor

# Core-metadata fields stored directly on Release (lists/dicts are JSON fields).
RELEASE_METADATA_FIELDS = [
    "metadata_version",
    "summary",
    "description",
    "description_content_type",
    "keywords",
    "home_page",
    "download_url",
    "author",
    "author_email",
    "maintainer",
    "maintainer_email",
    "license",
    "license_expression",
    "license_files",
    "platform",
    "supported_platform",
    "project_urls",
    "requires_python",
    "requires_dist",
    "provides_extra",
    "requires_external",
    "provides_dist",
    "obsoletes_dist",
    "dynamic",
]


def apply_metadata(release: Release, metadata: dict[str, Any]) -> None:
    """Copy known core-metadata fields onto a release; classifiers go to the M2M after save."""
    for field in RELEASE_METADATA_FIELDS:
        if field in metadata and metadata[field] is not None:
            setattr(release, field, metadata[field])


def _classifiers_named(names: Iterable[str]) -> list[Classifier]:
    """Classifier rows for `names`, creating the missing ones (two queries, whatever the count)."""
    names = set(names)
    Classifier.objects.bulk_create([Classifier(name=n) for n in names], ignore_conflicts=True)
    return list(Classifier.objects.filter(name__in=names))


@transaction.atomic(savepoint=False)  # upload path: see the package docstring
def create_release(project: Project, version: str, metadata: dict[str, Any], user: User | None) -> Release:
    parsed = Version(version)
    release = Release(
        project=project,
        version=version,
        canonical_version=canonical_version(parsed),
        is_prerelease=parsed.is_prerelease,
        uploader=user,
    )
    apply_metadata(release, metadata)
    # Rendered once: by the upload's check (which refuses what fails), else here; pages read it.
    html = metadata.get("description_html")
    release.description_html = (
        html if html is not None else readme.render_or_fallback(release.description, release.description_content_type)
    )
    release.save()
    if metadata.get("classifiers"):
        release.classifiers.add(*_classifiers_named(metadata["classifiers"]))
    record(project, "new release", version=version, user=user)
    return release


@transaction.atomic
def yank_release(release: Release, reason: str | None, actor: Actor) -> Release:
    release.yanked = True
    release.yanked_reason = reason or ""
    release.save(update_fields=["yanked", "yanked_reason"])
    record(release.project, "yank release", version=release.version, user=actor)
    return release


@transaction.atomic
def unyank_release(release: Release, actor: Actor) -> Release:
    release.yanked = False
    release.yanked_reason = ""
    release.save(update_fields=["yanked", "yanked_reason"])
    record(release.project, "unyank release", version=release.version, user=actor)
    return release


@transaction.atomic
def delete_release(release: Release, actor: Actor, reason: str = "") -> None:
    project = release.project
    files = list(release.files.all())
    paths = _stored_paths(files)
    freed = sum(f.size for f in files)
    version = release.version
    release.delete()
    # Computed by the database, as add_file and delete_file do: a project row read before a
    # concurrent upload or deletion must not write back its stale total.
    record(
        project,
        f"remove release{': ' + reason if reason else ''}",
        version=version,
        user=actor,
        project_updates={"total_size": F("total_size") - freed},
    )
    _delete_stored_after_commit(paths)
