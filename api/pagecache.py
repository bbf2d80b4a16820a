"""Rendered bodies (simple pages, JSON API documents), kept in the Django cache under the
serial they were built from.

A body's key holds the serial (project last_serial, or the global serial for /simple/),
so a change never has to delete anything: the serial bump in the change's transaction
makes the next request miss and render once. Old entries simply age out.
Compressed bodies are cached next to the plain one, so gzip/brotli also run once per change.
"""

import gzip

import brotli
from django.core.cache import cache

from core import metrics
from core.http import accepted_values

IDENTITY, GZIP, BROTLI = "identity", "gzip", "br"
# Serial-keyed entries never go stale, so the timeout only bounds memory.
TIMEOUT = 24 * 3600
# Quick levels: bodies are rendered on demand after each change (the root can be megabytes).
_GZIP_LEVEL = 6
_BROTLI_QUALITY = 5


def choose_encoding(accept_encoding: str, offered=(BROTLI, GZIP)) -> str:
    """The first of `offered` the client accepts (else identity), honouring q=0."""
    accepted = set(accepted_values(accept_encoding))
    for encoding in offered:
        if encoding in accepted:
            return encoding
    return offered[-1] if offered and "*" in accepted else IDENTITY


def _compress(body: bytes, encoding: str) -> bytes:
    if encoding == BROTLI:
        return brotli.compress(body, quality=_BROTLI_QUALITY)
    # mtime=0 keeps the gzip bytes identical for identical pages.
    return gzip.compress(body, compresslevel=_GZIP_LEVEL, mtime=0)


def get_body(key: str, encoding: str, render) -> bytes:
    """The page under `key` in `encoding`; `render()` builds the plain body on a miss."""
    full_key = f"{key}:{encoding}"
    body = cache.get(full_key)
    metrics.page_cache(key.partition(":")[0], body is not None)  # "simple" or "json"
    if body is not None:
        return body
    plain = cache.get(f"{key}:{IDENTITY}") if encoding != IDENTITY else None
    if plain is None:
        plain = render()
        cache.set(f"{key}:{IDENTITY}", plain, TIMEOUT)
    if encoding == IDENTITY:
        return plain
    body = _compress(plain, encoding)
    cache.set(full_key, body, TIMEOUT)
    return body


def etag(serial: int, kind: str, encoding: str) -> str:
    """One tag per representation; any of them revalidates while the serial stands."""
    suffix = "" if encoding == IDENTITY else f"-{encoding}"
    return f'"s{serial}-{kind}{suffix}"'


def etag_matches(if_none_match: str, serial: int, kind: str) -> bool:
    """Whether If-None-Match names this serial's body of `kind`, in any encoding (or is *)."""
    if not if_none_match:
        return False
    base = f"s{serial}-{kind}"
    for tag in if_none_match.split(","):
        tag = tag.strip()
        if tag == "*":
            return True
        tag = tag.removeprefix("W/").strip('"')
        if tag == base or tag.startswith(base + "-"):
            return True
    return False


def detail_key(normalized_name: str, serial: int, kind: str) -> str:
    return f"simple:1:detail:{normalized_name}:{serial}:{kind}"


def index_key(serial: int, kind: str) -> str:
    return f"simple:1:index:{serial}:{kind}"


# JSON API documents hold absolute URLs, so the site's base URL is part of their key.
def json_project_key(base_url: str, normalized_name: str, serial: int) -> str:
    return f"json:1:project:{base_url}:{normalized_name}:{serial}"


def json_release_key(base_url: str, normalized_name: str, version: str, serial: int) -> str:
    return f"json:1:release:{base_url}:{normalized_name}:{version}:{serial}"
