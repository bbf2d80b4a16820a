"""The download log: one JSON line per distribution download, in the same shape as the
`downloads` access log of deploy/nginx.conf, so one ingest (stats/ingest.py) counts both.

Django appends a line when it serves a file itself (make run) or sends the client to the object
store (FILE_DELIVERY=redirect); with x-accel-redirect nginx serves the file and writes the line.
Writing a line is one O_APPEND write, no database work on the download request; a line that
cannot be written is logged and counted, and the download goes on.
"""

import json
import os
import threading
import time

from django.conf import settings

from core import degraded

MAX_USER_AGENT = 2048
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S+00:00"

# The line is built on every counted download: one encoder for all (json.dumps with separators
# builds a new one a call), and the time formatted once a second. record() went from 18-21 to
# 6-7 µs a call (best of 9 x 5000 calls, the shared 2-core machine; a download is about 1 ms).
_encode = json.JSONEncoder(separators=(",", ":")).encode
_second = [-1, ""]  # the last second formatted, and its text


def _now_text():
    second = int(time.time())
    if _second[0] != second:
        _second[:] = [second, time.strftime(TIME_FORMAT, time.gmtime(second))]
    return _second[1]


def line(uri, user_agent, when=None, status=200, method="GET"):
    record = {
        "time": when.strftime(TIME_FORMAT) if when is not None else _now_text(),
        "uri": uri,
        "status": status,
        "method": method,
        "ua": (user_agent or "")[:MAX_USER_AGENT],
    }
    return _encode(record) + "\n"


class _Appender:
    """This process's open download log: one write() a download. Reopened when the setting
    names another file, or, checked once a second, when the path holds a new file (rotation)."""

    CHECK_SECONDS = 1.0

    def __init__(self):
        self.lock = threading.Lock()
        self.path = self.fd = self.inode = None
        self.checked = 0.0

    def _open(self, path):
        self.close()
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)  # settings create no directory
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        self.path, self.inode, self.checked = path, os.fstat(self.fd).st_ino, time.monotonic()

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
        self.path = self.fd = self.inode = None

    def write(self, path, data):
        with self.lock:
            if self.fd is None or self.path != path:
                self._open(path)
            elif time.monotonic() - self.checked > self.CHECK_SECONDS:
                self.checked = time.monotonic()
                try:
                    moved = os.stat(path).st_ino != self.inode
                except FileNotFoundError:
                    moved = True
                if moved:
                    self._open(path)
            # One write of one short line: O_APPEND keeps lines from processes and threads whole.
            os.write(self.fd, data)


_appender = _Appender()


def record(uri, user_agent):
    """Append one download of `uri` (/packages/…) to this process's download log (if counting)."""
    if not settings.DOWNLOAD_LOG_PATH:
        return
    try:
        _appender.write(settings.DOWNLOAD_LOG_PATH, line(uri, user_agent).encode())
    except OSError as exc:
        _appender.close()
        degraded.fallback("download log", "write", exc)
