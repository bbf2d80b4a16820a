"""Local projects that staff let also serve upstream files (Project.serve_upstream_files): their
simple page adds the upstream's files for the versions the local project lacks, after the local
files. Without the flag a local name is never looked up upstream (the dependency-confusion rule,
api/simple/views.py)."""

import hashlib
import json
from dataclasses import dataclass

from packaging.utils import canonicalize_version

from packages import lookups
from packages.models import Project, Release

from . import pages, rows


@dataclass(frozen=True)
class UpstreamPart:
    """The upstream's side of a merged page; `tag` names its content (in the page's cache key
    and ETag, which the local serial alone no longer describes)."""

    upstream: str
    rows: list
    versions: list
    tag: str
    stale_reason: str = ""

    def merged(self, local_rows, local_versions):
        """(rows, versions): the local ones first, then the upstream's for other versions."""
        have = {canonicalize_version(v) for v in local_versions}
        extra = [r for r in self.rows if canonicalize_version(r["version"]) not in have]
        versions = list(local_versions) + [v for v in self.versions if canonicalize_version(v) not in have]
        return list(local_rows) + extra, versions


def upstream_part(project, client=None):
    """The UpstreamPart for a local project with the flag (the caller checks it), or None (no
    upstream knows the name, or the upstreams fail with nothing cached: the local files alone)."""
    try:
        page = pages.lookup(project.normalized_name, client=client)
    except (pages.Throttled, pages.Unavailable):
        return None
    if page is None:
        return None
    files = page.row.files
    tag = hashlib.sha256(json.dumps([files, page.row.versions], sort_keys=True).encode()).hexdigest()[:12]
    return UpstreamPart(
        page.row.upstream,
        rows.render_rows(project.normalized_name, files),
        page.row.versions,
        f"u{tag}",
        page.stale_reason,
    )


def serves_upstream(project):
    """Whether the local project adds upstream files: staff said so, and it is neither quarantined
    nor private (a private project's name is never sent upstream, nor mixed with what an upstream
    serves under it: that is the dependency confusion private projects exist to avoid)."""
    return project.serve_upstream_files and not project.is_quarantined and not project.is_private


def may_serve(normalized_name, version):
    """Whether an upstream file of `version` may be served under the name: no local project holds
    the name and staff did not prohibit it, or staff let the (not quarantined) local project serve upstream files and it has
    no such version itself."""
    if not lookups.name_taken(normalized_name):
        return True  # the common case, in one query
    project = (
        Project.objects.filter(normalized_name=normalized_name)
        .only("status", "serve_upstream_files", "is_private")
        .first()
    )
    if project is None:
        return False  # prohibited
    if not serves_upstream(project):
        return False
    local = Release.objects.filter(project=project).values_list("version", flat=True)
    return canonicalize_version(version) not in {canonicalize_version(v) for v in local}
