"""Put real releases into the database and storage through the services layer (for tests and seeding)."""

import io

from api.upload.distributions import sdist_metadata, wheel_metadata
from packages import services
from packages.digests import digests_of
from packages.models import Project, Release
from packages.names import canonical_version, normalize_name

from .dists import sdist_bytes, wheel_bytes


class _Upload(io.BytesIO):
    """A BytesIO that looks enough like an UploadedFile for the services layer."""


def publish(user, name, version, *, kinds=("wheel", "sdist"), metadata=None, **dist_kwargs):
    """Create (or reuse) the project and release, then add real wheel/sdist files. Returns the release."""
    import tempfile

    from django.db import transaction

    metadata = dict(metadata or {})
    metadata.setdefault("summary", dist_kwargs.get("summary", "A tiny test package"))
    if "requires_python" in dist_kwargs:
        metadata.setdefault("requires_python", dist_kwargs["requires_python"] or "")
    with transaction.atomic():
        project = Project.objects.filter(normalized_name=normalize_name(name)).first()
        if project is None:
            project = services.create_project(name, user)
        release = Release.objects.filter(project=project, canonical_version=canonical_version(version)).first()
        if release is None:
            release = services.create_release(project, version, metadata, user)
        for kind in kinds:
            builder = wheel_bytes if kind == "wheel" else sdist_bytes
            filename, data = builder(name, version, **dist_kwargs)
            with tempfile.NamedTemporaryFile(suffix=filename) as tmp:
                tmp.write(data)
                tmp.flush()
                meta = wheel_metadata(tmp.name, filename) if kind == "wheel" else None
                if kind == "sdist":
                    sdist_metadata(tmp.name, filename)  # same check as uploads
            services.add_file(
                release,
                filename=filename,
                packagetype="bdist_wheel" if kind == "wheel" else "sdist",
                python_version=filename.split("-")[-3] if kind == "wheel" else "source",
                fileobj=_Upload(data),
                size=len(data),
                digests=digests_of(data),
                user=user,
                metadata_bytes=meta,
            )
    return release
