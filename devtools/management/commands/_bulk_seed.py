"""Bulk benchmark projects for `seed_dev_data --projects N`.

The services layer writes one project at a time (several queries and a transaction each);
for 100k projects that takes too long, so this writes the same rows the services would
(projects, owner roles, releases, files, filename log, journal, last_serial, total_size) with
bulk_create in batches. Each project still gets a real, installable wheel of its own:
filenames and digests are unique per file, so files can't be shared.
"""

import io
import os
import time

from django.core.files.storage import FileSystemStorage
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from devtools.dists import core_metadata, wheel_bytes
from packages.digests import digests_of
from packages.models import File, FilenameLog, JournalEntry, Project, Release, Role
from packages.names import canonical_version, ultranormalize_name
from packages.storage import file_path, package_storage

PREFIX = "bench-project-"


def _store(storage, path, data, stored):
    location = getattr(storage, "location", None)
    if location and isinstance(storage, FileSystemStorage):
        # Local disk: write directly; Storage.save's name checks cost more than the write itself.
        target = os.path.join(location, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as handle:  # content-addressed: same path, same bytes
            handle.write(data)
    elif not storage.exists(path):
        storage.save(path, io.BytesIO(data))
    stored.append(path)


def _versions(count):
    return [f"1.{minor}.0" for minor in range(count)]


def _create_batch(names, owner, versions, with_files, storage, stored):
    now = timezone.now()
    wheels = {}
    if with_files:
        for name in names:
            for version in versions:
                summary = f"Benchmark project {name}"
                filename, data = wheel_bytes(name, version, summary=summary)
                wheels[(name, version)] = (filename, data, core_metadata(name, version, summary=summary).encode())
    sizes = {name: sum(len(wheels[(name, v)][1]) for v in versions) if with_files else 0 for name in names}
    projects = Project.objects.bulk_create(
        [
            Project(
                name=name,
                normalized_name=name,
                ultranormalized_name=ultranormalize_name(name),
                created=now,
                total_size=sizes[name],
            )
            for name in names
        ]
    )
    Role.objects.bulk_create([Role(user=owner, project=p, role_name=Role.OWNER, created=now) for p in projects])
    releases = Release.objects.bulk_create(
        [
            Release(
                project=p,
                version=v,
                canonical_version=canonical_version(v),
                uploader=owner,
                created=now,
                metadata_version="2.1",
                summary=f"Benchmark project {p.name}",
                description_content_type="text/markdown",
                description=f"# {p.name}\n\nA generated project for benchmarks.",
            )
            for p in projects
            for v in versions
        ]
    )
    journal = []
    for p in projects:
        journal += [
            JournalEntry(project=p, name=p.name, action="create", submitted_by=owner, submitted_date=now),
            JournalEntry(
                project=p, name=p.name, action=f"add Owner {owner.username}", submitted_by=owner, submitted_date=now
            ),
        ]
    files = []
    for release in releases:
        name, version = release.project.name, release.version
        journal.append(
            JournalEntry(
                project=release.project,
                name=name,
                version=version,
                action="new release",
                submitted_by=owner,
                submitted_date=now,
            )
        )
        if not with_files:
            continue
        filename, data, metadata = wheels[(name, version)]
        digests, metadata_digests = digests_of(data), digests_of(metadata)
        path = file_path(digests["blake2_256"], filename)
        _store(storage, path, data, stored)
        _store(storage, f"{path}.metadata", metadata, stored)
        files.append(
            File(
                release=release,
                filename=filename,
                packagetype="bdist_wheel",
                python_version="py3",
                size=len(data),
                md5_digest=digests["md5"],
                sha256_digest=digests["sha256"],
                blake2_256_digest=digests["blake2_256"],
                path=path,
                uploader=owner,
                upload_time=now,
                metadata_sha256=metadata_digests["sha256"],
                metadata_blake2_256=metadata_digests["blake2_256"],
            )
        )
        journal.append(
            JournalEntry(
                project=release.project,
                name=name,
                version=version,
                action=f"add py3 file {filename}",
                submitted_by=owner,
                submitted_date=now,
            )
        )
    File.objects.bulk_create(files)
    FilenameLog.objects.bulk_create([FilenameLog(filename=f.filename, created=now) for f in files])
    JournalEntry.objects.bulk_create(journal)
    ids = [p.pk for p in projects]
    newest = JournalEntry.objects.filter(project=OuterRef("pk")).order_by("-id").values("id")[:1]
    Project.objects.filter(pk__in=ids).update(last_serial=Subquery(newest))
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchVector

        from packages.search import SEARCH_CONFIG

        Project.objects.filter(pk__in=ids).update(search_vector=SearchVector("name", weight="A", config=SEARCH_CONFIG))


def seed_bulk_projects(count, owner, *, releases=1, with_files=True, batch_size=1000, progress=None):
    """Create bench-project-000001 … up to `count` (skipping existing ones). Returns how many were new."""
    width = max(6, len(str(count)))
    wanted = [f"{PREFIX}{i:0{width}d}" for i in range(1, count + 1)]
    existing = set(Project.objects.filter(normalized_name__startswith=PREFIX).values_list("normalized_name", flat=True))
    missing = [name for name in wanted if name not in existing]
    storage = package_storage()
    versions = _versions(releases)
    started = time.monotonic()
    for start in range(0, len(missing), batch_size):
        batch = missing[start : start + batch_size]
        stored = []
        try:
            with transaction.atomic():
                _create_batch(batch, owner, versions, with_files, storage, stored)
        except BaseException:
            for path in stored:  # no rows point at them: don't leave orphans behind
                storage.delete(path)
            raise
        if progress is not None:
            progress(start + len(batch), len(missing), time.monotonic() - started)
    return len(missing)
