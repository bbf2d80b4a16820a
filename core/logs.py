"""Log formatting: one JSON object per line in production, a readable line in development.

settings.LOG_FORMAT picks the formatter ("json" or "text"). Every record carries the id of
the request it was logged in (a context variable set by core.instrument), so the upload
refusal line and any warning can be joined to the request line. Fields come from `extra=`;
only the names in FIELDS are written, so nothing a caller did not mean to log gets out.
"""

import json
import logging
import time
from contextvars import ContextVar
from typing import Any

REQUEST_ID: ContextVar = ContextVar("request_id", default=None)

# The structured fields a record may carry (from `extra=`), in the order they are written.
FIELDS = (
    "request_id",
    "method",
    "path",
    "route",
    "status",
    "duration_ms",
    "user_id",
    "token_id",
    "client",
    "pid",
    "code",
    "field",
)  # (none of LogRecord's own attribute names: those are always set)


class RequestIdFilter(logging.Filter):
    """Adds the current request's id to every record logged while it runs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = REQUEST_ID.get()
        return True


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    values = record.__dict__
    return {name: values[name] for name in FIELDS if values.get(name) is not None}


_encode = json.JSONEncoder(ensure_ascii=False, check_circular=False, default=str).encode
_second = [0, ""]  # the last second formatted, and its text (strftime once a second, not per line)


def _timestamp(created: float, msecs: float) -> str:
    second = int(created)
    if _second[0] != second:
        _second[:] = [second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))]
    return f"{_second[1]}.{int(msecs):03d}Z"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": _timestamp(record.created, record.msecs),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update(_fields(record))
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return _encode(entry)


class TextFormatter(logging.Formatter):
    """`make run`: the message, then the structured fields as key=value."""

    # Already in the request line's message ("GET /simple/ 200").
    SKIP = frozenset({"method", "path", "status"})

    def format(self, record: logging.LogRecord) -> str:
        fields = {k: v for k, v in _fields(record).items() if k not in self.SKIP or record.name != "index.request"}
        line = f"{self.formatTime(record, '%H:%M:%S')} {record.levelname:<7} {record.name}: {record.getMessage()}"
        if fields:
            line += "  " + " ".join(f"{key}={value}" for key, value in fields.items())
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line
