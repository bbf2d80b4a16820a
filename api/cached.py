"""The HTTP side of the cached APIs (simple pages, JSON API documents), declared once.

A view decorated with @cached_api(...) returns a Document (what to send: its page-cache key,
serial, ETag kind, content type and how to render it) or a response of its own (a 404, 406 or
redirect). The decorator answers a Document with a 304 when If-None-Match names its serial, else
with the body from the page cache (api/pagecache.py) in the encoding the client takes, and gives
every answer the headers mirrors and installers rely on: ETag, X-PyPI-Last-Serial, Vary,
Cache-Control and CORS, plus, for pages a front cache may keep (edge_cache=True), Surrogate-Key,
Surrogate-Control and X-Accel-Expires.
"""

from dataclasses import dataclass
from functools import wraps
from typing import Callable

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified

from . import pagecache

# Clients revalidate every time (a 304 costs one indexed query), so a yank or an upload is seen
# at once; a front cache told to keep pages longer (EDGE_CACHE_SECONDS) is purged on change.
CACHE_CONTROL = "public, max-age=0, must-revalidate"


@dataclass(frozen=True)
class Document:
    key: str  # the page-cache key; it holds the serial
    serial: int  # X-PyPI-Last-Serial, and what the ETag names
    kind: str  # one ETag kind per representation (a page's html and json differ)
    content_type: str
    render: Callable[[], bytes]  # the plain body; runs only when this serial's body isn't cached
    surrogate_keys: tuple = ()  # what a front cache may purge it by


def cached_api(*, vary: str, edge_cache: bool):
    """Serve the Documents the view returns (see the module docstring). `vary`: the request
    headers the answer depends on; `edge_cache`: whether a front cache may keep the documents."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            answer = view(request, *args, **kwargs)
            if isinstance(answer, Document):
                answer = _document_response(request, answer, vary, edge_cache)
            answer["Cache-Control"] = CACHE_CONTROL
            answer["Access-Control-Allow-Origin"] = "*"
            return answer

        return wrapper

    return decorator


def _document_response(request, document, vary, edge_cache):
    # Chosen before the If-None-Match branch: a 304 carries the ETag of the encoding it stands for.
    encoding = pagecache.choose_encoding(request.META.get("HTTP_ACCEPT_ENCODING"))
    if pagecache.etag_matches(request.META.get("HTTP_IF_NONE_MATCH"), document.serial, document.kind):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(
            pagecache.get_body(document.key, encoding, document.render), content_type=document.content_type
        )
        if encoding != pagecache.IDENTITY:
            response["Content-Encoding"] = encoding
    response["ETag"] = pagecache.etag(document.serial, document.kind, encoding)
    response["X-PyPI-Last-Serial"] = str(document.serial)
    response["Vary"] = vary
    if edge_cache:
        response["Surrogate-Key"] = " ".join(document.surrogate_keys)
        if settings.EDGE_CACHE_SECONDS:
            response["Surrogate-Control"] = f"max-age={settings.EDGE_CACHE_SECONDS}"
            response["X-Accel-Expires"] = str(settings.EDGE_CACHE_SECONDS)
    return response
