"""The first middleware of both chains (the full one and the installers' short one):
times each request, gives it an id, counts it in the metrics and writes its log line.

The request id is the trusted proxies' X-Request-ID when the request came through them
(TRUSTED_PROXY_COUNT) with a sane one, else a new
random one; it is echoed in the response's X-Request-ID header and attached to every log
record written while the request runs. The log line names the route, never the query
string, and for routes whose URL carries a secret (password reset keys, e-mail confirmation
keys) the route's pattern instead of the path. Credentials, cookies and session ids are
never read here.
"""

import logging
import os
import re
from collections.abc import Callable
from time import perf_counter

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import ResolverMatch
from django.utils.functional import empty

from . import metrics
from .clientip import client_ip, through_trusted_proxies
from .logs import REQUEST_ID

logger = logging.getLogger("index.request")

_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@-]{1,128}")
# URL arguments that are secrets: such paths are logged as their route pattern.
SECRET_URL_KWARGS = frozenset({"key", "token", "uidb36", "uidb64", "secret"})
# Routes a load balancer or Prometheus calls every few seconds: counted, logged only when
# settings.LOG_HEALTH_REQUESTS is on.
QUIET_ROUTES = frozenset({"health_live", "health_ready", "metrics"})


def identify(request: HttpRequest, *, user_id: int | None = None, token_id: int | None = None) -> None:
    """Views that authenticate without a session (uploads, API tokens) name the caller here."""
    request._log_user_id = user_id  # type: ignore[attr-defined]  # read back for the request's log line
    request._log_token_id = token_id  # type: ignore[attr-defined]  # likewise


def request_id_for(request: HttpRequest) -> str:
    incoming = request.META.get("HTTP_X_REQUEST_ID")
    if incoming and _SANE_REQUEST_ID.fullmatch(incoming) and through_trusted_proxies(request.META):
        return incoming
    return os.urandom(16).hex()


def _route(request: HttpRequest, match: ResolverMatch | None) -> str:
    if match is None:
        return "static" if request.path.startswith(settings.STATIC_URL) else "unmatched"
    return match.view_name


def _user_id(request: HttpRequest) -> int | None:
    user_id = getattr(request, "_log_user_id", None)
    if user_id is not None:
        return user_id
    user = request.__dict__.get("user")  # only on the full chain (AuthenticationMiddleware's lazy user)
    if user is None:
        return None
    user = getattr(user, "_wrapped", user)
    if user is empty:  # the view never asked who it was: no session query just for the log
        return None
    return user.pk if user.is_authenticated else None


class RequestObserverMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.log_quiet = settings.LOG_HEALTH_REQUESTS

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = perf_counter()
        request_id = request_id_for(request)
        reset = REQUEST_ID.set(request_id)
        try:
            response = self.get_response(request)
            seconds = perf_counter() - started
            response["X-Request-ID"] = request_id
            match = request.resolver_match
            route = _route(request, match)
            status = response.status_code
            metrics.observe_request(route, request.method or "", status, seconds)
            if logger.isEnabledFor(logging.INFO) and (self.log_quiet or route not in QUIET_ROUTES):
                self.log(request, match, route, status, seconds)
            return response
        finally:
            REQUEST_ID.reset(reset)

    def log(self, request: HttpRequest, match: ResolverMatch | None, route: str, status: int, seconds: float) -> None:
        path = request.path
        if match is not None and SECRET_URL_KWARGS.intersection(match.kwargs):
            path = "/" + match.route
        logger.info(
            "%s %s %s",
            request.method,
            path,
            status,
            extra={
                "method": request.method,
                "path": path,
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
                "user_id": _user_id(request),
                "token_id": getattr(request, "_log_token_id", None),
                "client": client_ip(request),
                "pid": os.getpid(),  # the gunicorn worker (not cached: --preload forks after import)
            },
        )
