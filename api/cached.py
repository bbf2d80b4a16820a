"""The HTTP side of the cached APIs (simple pages, JSON API documents), declared once.

A view decorated with @cached_api(...) returns a Document (what to send: its page-cache key,
serial, ETag kind, content type and how to render it), a StoredDocument (the same for a body kept
as a file, /simple/), or a response of its own (a 404, 406 or redirect). The decorator answers a
document with a 304 when If-None-Match names its serial, else with the body from the page cache
(api/pagecache.py) or the file, in the encoding the client takes, and gives
every answer the headers mirrors and installers rely on: ETag, X-PyPI-Last-Serial, Vary,
Cache-Control and CORS, plus, for pages a front cache may keep (edge_cache=True), Surrogate-Key,
Surrogate-Control and X-Accel-Expires.

A private project's documents (Document.private) are `Cache-Control: private` and never kept by
a front cache (`X-Accel-Expires: 0`, no Surrogate headers, no CORS); wrong credentials, which
the view meets when it asks accounts/readers.py who reads, are answered 401 (or 429) here.
"""

from dataclasses import dataclass
from functools import wraps
from typing import BinaryIO, Callable

from django.conf import settings
from django.http import FileResponse, HttpResponse, HttpResponseNotModified, JsonResponse

from accounts.readers import CredentialsRefused

from . import pagecache

# Clients revalidate every time (a 304 costs one indexed query), so a yank or an upload is seen
# at once; a front cache told to keep pages longer (EDGE_CACHE_SECONDS) is purged on change.
CACHE_CONTROL = "public, max-age=0, must-revalidate"
# The same for one reader only: no shared cache (nginx, a CDN) may keep a private project's page.
PRIVATE_CACHE_CONTROL = "private, max-age=0, must-revalidate"


@dataclass(frozen=True)
class Document:
    key: str  # the page-cache key; it holds the serial
    serial: int  # X-PyPI-Last-Serial, and what the ETag names
    kind: str  # one ETag kind per representation (a page's html and json differ)
    content_type: str
    render: Callable[[], bytes]  # the plain body; runs only when this serial's body isn't cached
    surrogate_keys: tuple = ()  # what a front cache may purge it by
    encodings: tuple = (pagecache.BROTLI, pagecache.GZIP)  # offered besides identity
    private: bool = False  # a private project's: for the reader that was let in only

    def response(self, encoding: str) -> tuple[int, HttpResponse]:
        body = pagecache.get_body(self.key, encoding, self.render)
        return self.serial, HttpResponse(body, content_type=self.content_type)


@dataclass(frozen=True)
class StoredDocument:
    """A body kept as a file (api/simple/index_store.py) and sent with sendfile."""

    serial: int  # the serial the request saw: what If-None-Match is compared with
    kind: str
    content_type: str
    open: Callable[[str], tuple[int, BinaryIO]]  # encoding -> (the body's own serial, its file)
    surrogate_keys: tuple = ()
    encodings: tuple = (pagecache.GZIP,)
    private: bool = False  # /simple/ lists public projects only: never private

    def response(self, encoding: str) -> tuple[int, HttpResponse]:
        serial, handle = self.open(encoding)
        response = FileResponse(handle, content_type=self.content_type)
        del response["Content-Disposition"]  # FileResponse names the file; this is a page
        return serial, response


def cached_api(*, vary: str, edge_cache: bool, json_errors: bool = False):
    """Serve the Documents the view returns (see the module docstring). `vary`: the request
    headers the answer depends on; `edge_cache`: whether a front cache may keep the documents;
    `json_errors`: refusals as {"message"} (the JSON API's error shape) rather than text."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                answer = view(request, *args, **kwargs)
            except CredentialsRefused as refused:
                return refusal_response(refused, json=json_errors)
            private = isinstance(answer, (Document, StoredDocument)) and answer.private
            if isinstance(answer, (Document, StoredDocument)):
                answer = _document_response(request, answer, vary, edge_cache)
            answer["Cache-Control"] = PRIVATE_CACHE_CONTROL if private else CACHE_CONTROL
            if not private:
                answer["Access-Control-Allow-Origin"] = "*"
            return answer

        return wrapper

    return decorator


def _document_response(request, document, vary, edge_cache):
    # Chosen before the If-None-Match branch: a 304 carries the ETag of the encoding it stands for.
    encoding = pagecache.choose_encoding(request.META.get("HTTP_ACCEPT_ENCODING"), document.encodings)
    serial = document.serial
    if pagecache.etag_matches(request.META.get("HTTP_IF_NONE_MATCH"), serial, document.kind):
        response = HttpResponseNotModified()
    else:
        serial, response = document.response(encoding)
        if encoding != pagecache.IDENTITY:
            response["Content-Encoding"] = encoding
    response["ETag"] = pagecache.etag(serial, document.kind, encoding)
    response["X-PyPI-Last-Serial"] = str(serial)
    if document.private:
        response["Vary"] = f"{vary}, Authorization"
        response["X-Accel-Expires"] = "0"  # deploy/nginx.conf: never stored, whatever else it says
        return response
    response["Vary"] = vary
    if edge_cache:
        response["Surrogate-Key"] = " ".join(document.surrogate_keys)
        if settings.EDGE_CACHE_SECONDS:
            response["Surrogate-Control"] = f"max-age={settings.EDGE_CACHE_SECONDS}"
            response["X-Accel-Expires"] = str(settings.EDGE_CACHE_SECONDS)
    return response


def refusal_response(refused, *, json=False):
    """Wrong credentials on a read: 401 with WWW-Authenticate (pip and uv say the credentials are
    wrong), or 429 with Retry-After. Never stored by a front cache."""
    if json:
        response = JsonResponse({"message": refused.message}, status=refused.status)
    else:
        response = HttpResponse(f"{refused.message}\n", status=refused.status, content_type="text/plain; charset=utf-8")
    for name, value in refused.headers.items():
        response[name] = value
    response["Cache-Control"] = "no-store"
    return response
