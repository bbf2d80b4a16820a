"""The download log: one JSON line per distribution download, in the same shape as the
`downloads` access log of deploy/nginx.conf, so one ingest (stats/ingest.py) counts both.

Django appends a line when it serves a file itself (make run) or sends the client to the object
store (FILE_DELIVERY=redirect); with x-accel-redirect nginx serves the file and writes the line.
Writing a line is one O_APPEND write, no database work on the download request; a line that
cannot be written is logged and counted, and the download goes on.
"""

import json
import logging
import os
from datetime import datetime, timezone

from django.conf import settings

from core import degraded

log = logging.getLogger(__name__)
MAX_USER_AGENT = 2048


def line(uri, user_agent, when=None, status=200, method="GET"):
    when = when or datetime.now(timezone.utc)
    record = {"time": when.strftime("%Y-%m-%dT%H:%M:%S+00:00"), "uri": uri, "status": status, "method": method,
              "ua": (user_agent or "")[:MAX_USER_AGENT]}
    return json.dumps(record, separators=(",", ":")) + "\n"


def record(uri, user_agent):
    """Append one download of `uri` (/packages/…) to this process's download log (if counting)."""
    if not settings.DOWNLOAD_LOG_PATH:
        return
    try:
        fd = os.open(settings.DOWNLOAD_LOG_PATH, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            # One write of one short line: O_APPEND keeps lines from processes and threads whole.
            os.write(fd, line(uri, user_agent).encode())
        finally:
            os.close(fd)
    except OSError as exc:
        degraded.fallback("download log", "write", exc)
