"""Error answers: a page in the site's layout for people, short plain text for pip and twine.

Django's handler400/403/404/500 and CSRF_FAILURE_VIEW point here (pypiapp/urls.py, settings);
ErrorPageMiddleware gives the bare 405, 429 and 503 responses that views and middleware return
the same page. The pages use no context processor, session or query, so the 500 and 503 pages
render even when the database is what failed.

A database that cannot be reached (OperationalError, InterfaceError reaching handler500, even
from middleware) is a 503 with Retry-After, not a 500: plain text for pip, uv and twine, JSON for
the JSON API, the error page for people.
"""

import sys
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.template import loader

from . import degraded

DATABASE_UNAVAILABLE = "The index is temporarily unavailable (its database cannot be reached). Please retry shortly."
RETRY_AFTER_SECONDS = "30"


@dataclass(frozen=True)
class ErrorText:
    title: str
    reason: str


TEXTS = {
    400: ErrorText("Bad request", "The request could not be understood. Check the address or the form and try again."),
    403: ErrorText(
        "Not allowed",
        "You don't have permission to do that. Log in with the right account, or ask an Owner of the project.",
    ),
    404: ErrorText(
        "Page not found", "There is nothing at this address. It may have been removed, or the address may be mistyped."
    ),
    405: ErrorText(
        "This address works only from its form",
        "This address performs an action (such as inviting someone, yanking a release or deleting something) "
        "and only works from the button on its page. Go back to that page and use the button there.",
    ),
    429: ErrorText(
        "Too many requests", "You have made too many requests in a short time. Wait a little, then try again."
    ),
    500: ErrorText(
        "Something went wrong",
        "The server hit an error and could not finish your request. It has been logged; please try again in a minute.",
    ),
    503: ErrorText("Temporarily unavailable", "The index cannot do this right now. Please try again later."),
}
CSRF_TEXT = ErrorText(
    "Your form expired",
    "The form you sent was missing its security (CSRF) token, or the token has expired: this happens when a page stays "
    "open for a long time or the browser blocks cookies for this site. Reload the page, then send the form again.",
)


def is_machine_path(path: str) -> bool:
    """Paths that pip, uv, twine and API clients use: their errors stay short and plain."""
    return path.startswith(tuple(settings.MACHINE_PATH_PREFIXES))


def _wants_json(path: str) -> bool:
    return path.startswith("/pypi/") and "/json" in path


def error_response(
    request: HttpRequest | None,
    status: int,
    *,
    reason: str | None = None,
    detail: str | None = None,
    text: ErrorText | None = None,
    code: str | None = None,
) -> HttpResponse:
    """The answer for `status`: plain text or JSON on machine paths, the error page elsewhere."""
    text = text or TEXTS[status]
    reason = reason or text.reason
    path = request.path if request is not None else "/"
    if is_machine_path(path):
        if _wants_json(path):
            return JsonResponse({"message": reason, **({"code": code} if code else {})}, status=status)
        return HttpResponse(f"{reason}\n", status=status, content_type="text/plain; charset=utf-8")
    context = {
        "status": status,
        "title": text.title,
        "reason": reason,
        "detail": detail,
        "site_name": settings.SITE_NAME,
    }
    body = loader.get_template("errors/layout.html").render(context)  # no request: no context processors
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Views raise PermissionDenied("Only an Owner of this project can do that."): show that reason.
    message = str(exception) if exception is not None and str(exception) else None
    return error_response(request, 403, reason=message)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 404)


def too_many_requests(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """allauth's rate limits call the root URLconf's handler429."""
    return error_response(request, 429)


def database_unavailable(exc: BaseException) -> bool:
    return isinstance(exc, (OperationalError, InterfaceError))


def server_error(request: HttpRequest) -> HttpResponse:
    exc = sys.exc_info()[1]
    if exc is not None and database_unavailable(exc):
        degraded.fallback("database", request.path.split("/")[1] or "/", exc)
        response = error_response(request, 503, reason=DATABASE_UNAVAILABLE, code="database_unavailable")
        if is_machine_path(request.path) and not _wants_json(request.path):
            response.reason_phrase = "Service Unavailable (database unreachable, retry shortly)"
        response["Retry-After"] = RETRY_AFTER_SECONDS
        response["Cache-Control"] = "no-store"
        return response
    return error_response(request, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if is_machine_path(request.path):
        return error_response(request, 403, reason="CSRF verification failed.")
    return error_response(request, 403, text=CSRF_TEXT)


class ErrorPageMiddleware:
    """Bare 405, 429 and 503 answers (require_POST, throttles, read-only mode) become error pages
    for people; their own text, if any, is kept as the reason. Headers such as Allow and
    Retry-After are kept."""

    STATUSES = (405, 429, 503)

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            response.status_code not in self.STATUSES
            or is_machine_path(request.path)
            or not isinstance(response, HttpResponse)  # streaming: its body is not ours to read
            or response.get("Content-Type", "").startswith("text/html")
            and response.content
        ):
            return response
        own_text = response.content.decode("utf-8", "replace").strip()
        page = error_response(request, response.status_code, reason=own_text or None)
        for header in ("Allow", "Retry-After"):
            if header in response:
                page[header] = response[header]
        return page
