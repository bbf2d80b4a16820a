"""The JSON API documents (pypi.org's shape) and project pages of upstream projects.

`info` comes from the upstream's JSON API where it has one (pypi.org's /pypi/<name>/json beside
its /simple/), fetched at most once per UPSTREAM_CACHE_SECONDS and kept on the UpstreamProject
row, so the page survives the upstream going away; without one it is built from the simple
page's data. The files are always the cached simple page's: the ones this index can check and
serve, with its own /proxy/ URLs.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from packaging.utils import canonicalize_version
from packaging.version import Version

from api.simple.render import version_sort_key
from core import readme

from . import fetch, files, indexes, pages

log = logging.getLogger(__name__)

# pypi.org's `info` fields (api/json/serializers.py InfoSerializer), taken from the upstream as is.
INFO_FIELDS = (
    "author",
    "author_email",
    "bugtrack_url",
    "classifiers",
    "description",
    "description_content_type",
    "docs_url",
    "download_url",
    "dynamic",
    "home_page",
    "keywords",
    "license",
    "license_expression",
    "license_files",
    "maintainer",
    "maintainer_email",
    "name",
    "platform",
    "project_urls",
    "provides_extra",
    "requires_dist",
    "requires_python",
    "summary",
    "version",
    "yanked",
    "yanked_reason",
)
# Kept beside the upstream's info: its README rendered and sanitized here (core/readme.py), and
# the md5/blake2 digests its JSON API gives per file (the simple page has only sha256).
DESCRIPTION_HTML, DIGESTS = "_description_html", "_digests"
UPLOAD_TIME, UPLOAD_TIME_ISO = "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%fZ"


def latest_version(row):
    """The newest version that is not a pre-release (else the newest), as pypi.org's `info`."""
    versions = sorted(row.versions, key=version_sort_key)
    final = [v for v in versions if version_sort_key(v)[0] == 0 and not Version(v).is_prerelease]
    return (final or versions or [None])[-1]


def _kept(info, document=None):
    kept = {field: info.get(field) for field in INFO_FIELDS}
    kept[DESCRIPTION_HTML] = readme.render_or_fallback(
        info.get("description") or "", info.get("description_content_type") or ""
    )
    if document is not None:
        kept[DIGESTS] = {
            f.get("filename"): {
                "md5": (f.get("digests") or {}).get("md5"),
                "blake2b_256": (f.get("digests") or {}).get("blake2b_256"),
            }
            for release in (document.get("releases") or {}).values()
            for f in release or []
            if isinstance(f, dict)
        }
    return kept


def _fresh(when):
    return when is not None and timezone.now() - when < timedelta(seconds=settings.UPSTREAM_CACHE_SECONDS)


def _fetch(row, version=None):
    """The upstream's JSON document for the project (or a version); None when it has none,
    UpstreamError when it failed."""
    upstream = indexes.by_name(row.upstream)
    if upstream is None:
        return None
    try:
        return fetch.json_document(upstream, row.normalized_name, settings.UPSTREAM_TIMEOUT_SECONDS, version)
    except fetch.NotFound:
        return None


def project_info(row):
    """The upstream's info for the project (its latest version), {} when it has no JSON API."""
    if _fresh(row.info_fetched_at):
        return row.info
    try:
        document = _fetch(row)
    except fetch.UpstreamError as exc:
        log.warning("upstream JSON for %s failed: %s", row.normalized_name, exc)
        pages.save_info(row, row.info)  # the last copy; asked again after UPSTREAM_CACHE_SECONDS
        return row.info
    pages.save_info(row, _kept(document["info"], document) if document else {})
    return row.info


def version_info(row, version):
    """The upstream's info for one version ({} when it has no JSON API or failed), cached."""
    key = f"upstream:info:{row.normalized_name}:{version}"
    info = cache.get(key)
    if info is None:
        try:
            document = _fetch(row, version)
        except fetch.UpstreamError as exc:
            log.warning("upstream JSON for %s %s failed: %s", row.normalized_name, version, exc)
            document = None
        info = _kept(document["info"]) if document else {}
        cache.set(key, info, settings.UPSTREAM_CACHE_SECONDS)
    return info


def files_by_version(row):
    """{version: [file rows]} in the upstream's version order (newest last)."""
    grouped = {v: [] for v in sorted(row.versions, key=version_sort_key)}
    for entry in row.files:
        grouped.setdefault(entry["version"], []).append(entry)
    return grouped


def find_version(row, version):
    """The version as the page spells it, equal to `version` under PEP 440; None if absent."""
    wanted = canonicalize_version(version)
    return next((v for v in row.versions if v == version), None) or next(
        (v for v in row.versions if canonicalize_version(v) == wanted), None
    )


def packagetype(filename):
    if filename.endswith(".whl"):
        return "bdist_wheel"
    if filename.endswith(".egg"):
        return "bdist_egg"
    return "sdist"


def python_version(filename):
    """The wheel's python tag, "source" for an sdist (what pypi.org says)."""
    if filename.endswith((".whl", ".egg")):
        parts = filename.rsplit(".", 1)[0].split("-")
        return parts[-3] if filename.endswith(".whl") and len(parts) >= 5 else (parts[-1] if len(parts) > 2 else "")
    return "source"


def _file(row, entry, digests, absolute):
    uploaded = datetime.fromisoformat(entry["upload_time"]) if entry["upload_time"] else None
    extra = digests.get(entry["filename"]) or {}
    return {
        "comment_text": "",
        "core-metadata": {"sha256": entry["metadata_sha256"]} if entry["metadata_sha256"] else False,
        "digests": {"blake2b_256": extra.get("blake2b_256"), "md5": extra.get("md5"), "sha256": entry["sha256"]},
        "downloads": -1,
        "filename": entry["filename"],
        "has_sig": False,
        "md5_digest": extra.get("md5"),
        "packagetype": packagetype(entry["filename"]),
        "python_version": python_version(entry["filename"]),
        "requires_python": entry["requires_python"] or None,
        "size": entry["size"],
        "upload_time": uploaded.strftime(UPLOAD_TIME) if uploaded else None,
        "upload_time_iso_8601": uploaded.strftime(UPLOAD_TIME_ISO) if uploaded else None,
        "url": absolute(files.url_path(row.normalized_name, entry["sha256"], entry["filename"])),
        "yanked": entry["yanked"],
        "yanked_reason": entry["yanked_reason"] or None if entry["yanked"] else None,
    }


def _info(row, upstream_info, version, version_files, absolute, downloads):
    info = {field: upstream_info.get(field) for field in INFO_FIELDS}
    if not upstream_info:  # no JSON API: what the simple page tells
        info.update(
            name=row.normalized_name,
            requires_python=next((f["requires_python"] for f in version_files if f["requires_python"]), None),
            yanked=bool(version_files) and all(f["yanked"] for f in version_files),
            yanked_reason=next((f["yanked_reason"] for f in version_files if f["yanked_reason"]), None),
            description="",
            summary="",
        )
    name = info["name"] or row.normalized_name
    info.update(
        name=name,
        version=version,
        downloads=downloads,
        package_url=absolute(f"/project/{name}/"),
        project_url=absolute(f"/project/{name}/"),
        release_url=absolute(f"/project/{name}/{version}/"),
    )
    return dict(sorted(info.items()))


def json_document(row, absolute, downloads, version=None):
    """pypi.org's /pypi/<name>/json (or, with `version`, /pypi/<name>/<version>/json) document
    for an upstream project; `absolute(path)` makes this index's URLs. None when the version (or
    any release) is not on the cached page."""
    version = find_version(row, version) if version else latest_version(row)
    if version is None:
        return None
    latest_info = project_info(row)
    digests = latest_info.get(DIGESTS) or {}
    upstream_info = latest_info if latest_info.get("version") == version else version_info(row, version)
    grouped = files_by_version(row)
    document = {
        "info": _info(row, upstream_info, version, grouped.get(version, []), absolute, downloads),
        "last_serial": row.upstream_serial or 0,
        "urls": [_file(row, f, digests, absolute) for f in grouped.get(version, [])],
        "vulnerabilities": [],
        "ownership": {"roles": [], "organization": None},
    }
    return document


def project_json_document(row, absolute, downloads):
    """json_document for the project, with `releases` (every version's files)."""
    document = json_document(row, absolute, downloads)
    if document is None:
        return None
    digests = project_info(row).get(DIGESTS) or {}
    document["releases"] = {
        v: [_file(row, f, digests, absolute) for f in fs] for v, fs in files_by_version(row).items()
    }
    return document
