"""The project's 500 handler: a database that cannot be reached is a 503, not an HTML 500.

Django calls `server_error` (settings: urls.handler500) for any uncaught exception, including
one raised in middleware, with the exception still current. When it is a database
connection error (OperationalError, InterfaceError), the client gets a 503 with Retry-After in
the form it reads: plain text for pip, uv and twine (/simple/, /packages/, /legacy/), JSON for
the JSON API (/pypi/.../json), a short HTML page for people. Anything else is Django's own 500.
"""
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.views import defaults

from . import degraded

MESSAGE = "The index is temporarily unavailable (its database cannot be reached). Please retry shortly."
RETRY_AFTER_SECONDS = "30"


def database_unavailable(exc):
    return isinstance(exc, (OperationalError, InterfaceError))


def _wants_json(path):
    return path.startswith("/pypi/") and (path.endswith("/json") or path.endswith(".json"))


def unavailable_response(request):
    path = request.path
    if _wants_json(path):
        response = JsonResponse({"code": "database_unavailable", "message": MESSAGE}, status=503)
    elif path.startswith(tuple(settings.PLAIN_ERROR_PATH_PREFIXES)):
        response = HttpResponse(MESSAGE + "\n", status=503, content_type="text/plain; charset=utf-8")
        response.reason_phrase = "Service Unavailable (database unreachable, retry shortly)"
    else:
        response = HttpResponse(f"<!doctype html><title>Unavailable</title><h1>Temporarily unavailable</h1>"
                                f"<p>{MESSAGE}</p>", status=503)
    response["Retry-After"] = RETRY_AFTER_SECONDS
    response["Cache-Control"] = "no-store"
    return response


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    exc = sys.exc_info()[1]
    if exc is not None and database_unavailable(exc):
        degraded.fallback("database", request.path.split("/")[1] or "/", exc)
        return unavailable_response(request)
    return defaults.server_error(request, template_name)
