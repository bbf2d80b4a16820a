from collections.abc import Callable
from urllib.parse import unquote

from django.http import FileResponse, HttpRequest, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.middleware.gzip import GZipMiddleware


class GZipPagesMiddleware(GZipMiddleware):
    """Django's gzip for pages, but never for file downloads.

    Wheels and sdists are compressed archives already, and metadata files are a few hundred
    bytes; gzipping them on the fly cost CPU per download, dropped their Content-Length (so
    a truncated download can't be told from a complete one) and turned off sendfile.
    Simple pages and JSON API documents arrive compressed once per change (api/pagecache.py)
    and are skipped by the parent class because they carry Content-Encoding.
    """

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if isinstance(response, FileResponse):
            return response
        return super().process_response(request, response)


def _has_control(text: str) -> bool:
    return any(ord(char) < 32 or 127 <= ord(char) < 160 for char in text)


class RejectControlCharactersMiddleware:
    """No URL or header with NUL or another control character reaches a view: 400, in both chains.

    Each view would otherwise hand them to the database (PostgreSQL refuses NUL in text, a
    500 for `/simple/a%00b/`, `/project/…`, `/pypi/…/json`, `/user/…`, `/rss/…` and admin
    searches). Cookies carrying them (a quoted cookie can spell NUL as \\000) are dropped, as a
    session that does not exist. Form bodies are checked by the forms that read them
    (Django's fields refuse NUL; the upload form in api/upload/multipart.py).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if _has_control(request.path_info) or _has_control(unquote(request.META.get("QUERY_STRING", ""))):
            return HttpResponseBadRequest(
                "Bad request: the URL contains NUL or control characters.\n", content_type="text/plain; charset=utf-8"
            )
        if any(
            key.startswith("HTTP_") and _has_control(value.replace("\t", " "))
            for key, value in request.META.items()
            if isinstance(value, str)
        ):
            # HTTP forbids them in field values; stored headers (User-Agent) would reach the database.
            return HttpResponseBadRequest(
                "Bad request: a header contains NUL or control characters.\n", content_type="text/plain; charset=utf-8"
            )
        for name, value in list(request.COOKIES.items()):
            if _has_control(name) or _has_control(value):
                del request.COOKIES[name]
        return self.get_response(request)
