"""An upstream page's file rows (upstream/pages.py) in the shape api/simple/render.py renders,
every URL pointing at this index (/proxy/...)."""

from datetime import datetime

from . import files


def render_rows(normalized_name, entries):
    return [
        {
            "version": f["version"],
            "filename": f["filename"],
            "url": files.url_path(normalized_name, f["sha256"], f["filename"]),
            "sha256": f["sha256"],
            "size": f["size"],
            "upload_time": datetime.fromisoformat(f["upload_time"]) if f["upload_time"] else None,
            "requires_python": f["requires_python"],
            "yanked": f["yanked"],
            "yanked_reason": f["yanked_reason"],
            "metadata_sha256": f["metadata_sha256"],
            "provenance": None,
        }
        for f in entries
    ]
