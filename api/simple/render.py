"""Builds simple-index documents (PEP 503 HTML, PEP 691 JSON) from the database.

Kept free of request handling so pages can be cached or pre-rendered by serial.
"""

import json
from html import escape
from urllib.parse import quote

from packages.models import File, Release
from packages.storage import file_url_path

API_VERSION = "1.4"  # PEP 629; 1.3 adds PEP 740 provenance, 1.4 PEP 792 project status
UPLOAD_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def version_sort_key(text):
    """Sorts PEP 440 versions as versions, any other text after them."""
    from packaging.version import InvalidVersion, Version

    try:
        return (0, Version(text))
    except InvalidVersion:
        return (1, text)


def provenance_url(normalized_name, version, filename):
    """PEP 740: where a file's provenance is served (api/integrity)."""
    return f"/integrity/{normalized_name}/{quote(version)}/{quote(filename)}/provenance"


def detail_data(project):
    """Everything a detail page needs, in two queries whatever the project's size."""
    releases = list(
        Release.objects.filter(project=project).values_list(
            "id", "version", "requires_python", "yanked", "yanked_reason"
        )
    )
    by_id = {r[0]: r for r in releases}
    files = File.objects.filter(release__project=project).values_list(
        "release_id", "filename", "path", "sha256_digest", "size", "upload_time", "metadata_sha256", "provenance_sha256"
    )
    rows = []
    for release_id, filename, path, sha256, size, upload_time, metadata_sha256, provenance_sha256 in files:
        _, version, requires_python, yanked, yanked_reason = by_id[release_id]
        rows.append(
            {
                "version": version,
                "filename": filename,
                "url": file_url_path(path),
                "sha256": sha256,
                "size": size,
                "upload_time": upload_time,
                "requires_python": requires_python,
                "yanked": yanked,
                "yanked_reason": yanked_reason,
                "metadata_sha256": metadata_sha256,
                "provenance": provenance_url(project.normalized_name, version, filename) if provenance_sha256 else None,
            }
        )
    rows.sort(key=lambda r: (version_sort_key(r["version"]), r["filename"]))
    versions = sorted((r[1] for r in releases), key=version_sort_key)
    return rows, versions


def render_detail_html(project, rows) -> bytes:
    name = escape(project.name)
    out = [
        "<!DOCTYPE html>\n<html>\n  <head>\n",
        f'    <meta name="pypi:repository-version" content="{API_VERSION}">\n',
        f'    <meta name="pypi:project-status" content="{project.status}">\n',
    ]
    if project.status_reason:
        out.append(f'    <meta name="pypi:project-status-reason" content="{escape(project.status_reason)}">\n')
    out.append(f"    <title>Links for {name}</title>\n  </head>\n  <body>\n    <h1>Links for {name}</h1>\n")
    for r in rows:
        attrs = [f'href="{escape(r["url"])}#sha256={r["sha256"]}"']
        if r["requires_python"]:
            attrs.append(f'data-requires-python="{escape(r["requires_python"])}"')
        if r["metadata_sha256"]:
            attrs.append(f'data-dist-info-metadata="sha256={r["metadata_sha256"]}"')
            attrs.append(f'data-core-metadata="sha256={r["metadata_sha256"]}"')
        if r["yanked"]:
            attrs.append(f'data-yanked="{escape(r["yanked_reason"])}"')
        if r["provenance"]:
            attrs.append(f'data-provenance="{escape(r["provenance"])}"')
        out.append(f"    <a {' '.join(attrs)}>{escape(r['filename'])}</a><br />\n")
    out.append("  </body>\n</html>\n")
    return "".join(out).encode()


def render_detail_json(project, rows, versions) -> bytes:
    files = []
    for r in rows:
        metadata = {"sha256": r["metadata_sha256"]} if r["metadata_sha256"] else False
        files.append(
            {
                "filename": r["filename"],
                "url": r["url"],
                "hashes": {"sha256": r["sha256"]},
                "requires-python": r["requires_python"] or None,
                "yanked": (r["yanked_reason"] or True) if r["yanked"] else False,
                "core-metadata": metadata,
                "data-dist-info-metadata": metadata,
                "size": r["size"],
                "upload-time": r["upload_time"].strftime(UPLOAD_TIME_FORMAT) if r["upload_time"] else None,
                "provenance": r["provenance"],
            }
        )
        # An upstream file may not say its size or upload time: left out (uv refuses a null time).
        for key in ("size", "upload-time"):
            if files[-1][key] is None:
                del files[-1][key]
    status = {"status": project.status}
    if project.status_reason:
        status["reason"] = project.status_reason
    doc = {
        "meta": {"api-version": API_VERSION, "_last-serial": project.last_serial},
        "name": project.normalized_name,
        "project-status": status,
        "versions": versions,
        "files": files,
    }
    return json.dumps(doc, separators=(",", ":")).encode()


# /simple/ is put together from pieces (api/simple/index_store.py): a head, the rows of each
# segment (JSON segments joined by INDEX_JSON_SEPARATOR) and a tail.
INDEX_HTML_HEAD = (
    "<!DOCTYPE html>\n<html>\n  <head>\n"
    f'    <meta name="pypi:repository-version" content="{API_VERSION}">\n'
    "    <title>Simple index</title>\n  </head>\n  <body>\n"
).encode()
INDEX_HTML_TAIL = b"  </body>\n</html>\n"
INDEX_JSON_SEPARATOR = b","
INDEX_JSON_TAIL = b"]}"


def index_html_rows(rows) -> bytes:
    """The links of `rows` ((name, normalized name, last serial), sorted)."""
    return "".join(f'    <a href="/simple/{norm}/">{escape(name)}</a>\n' for name, norm, _ in rows).encode()


def index_json_head(serial) -> bytes:
    meta = json.dumps({"api-version": API_VERSION, "_last-serial": serial}, separators=(",", ":"))
    return f'{{"meta":{meta},"projects":['.encode()


def index_json_rows(rows) -> bytes:
    """The PEP 691 project entries of `rows`, comma-separated (json.dumps of each name alone is
    what the whole document's dumps would write, at a third of the cost)."""
    return ",".join(f'{{"name":{json.dumps(name)},"_last-serial":{int(last)}}}' for name, _, last in rows).encode()


def render_index_html(rows) -> bytes:
    return INDEX_HTML_HEAD + index_html_rows(rows) + INDEX_HTML_TAIL


def render_index_json(rows, serial) -> bytes:
    return index_json_head(serial) + index_json_rows(rows) + INDEX_JSON_TAIL
