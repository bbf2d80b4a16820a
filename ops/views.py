"""Health and metrics endpoints: no session, no CSRF, the short middleware chain (see
settings.INSTALLER_PATH_PREFIXES), so a load balancer may call them every second."""

import hmac

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

from core.clientip import forwarded_chain, in_networks

from .collectors import SCRAPE_COLLECTORS, ProcessFiles
from .health import run_checks


@csrf_exempt
@never_cache
@require_safe
def live(request):
    """Liveness: the process answers. Touches no dependency."""
    return HttpResponse("ok\n", content_type="text/plain")


@csrf_exempt
@never_cache
@require_safe
def ready(request):
    result = run_checks()
    return JsonResponse(result, status=503 if result["status"] == "unavailable" else 200)


def metrics_allowed(request) -> bool:
    """A valid bearer token (METRICS_BEARER_TOKEN), or every address the request came
    through (X-Forwarded-For hops and the peer) in METRICS_ALLOWED_IPS."""
    token = settings.METRICS_BEARER_TOKEN
    if token:
        scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
            return True
    return all(in_networks(address, settings.METRICS_ALLOWED_IPS) for address in forwarded_chain(request.META))


def _scrape_registry():
    registry = CollectorRegistry(auto_describe=False)
    for collector in SCRAPE_COLLECTORS:
        registry.register(collector())
    return registry


@csrf_exempt
@never_cache
@require_safe
def metrics(request):
    if not metrics_allowed(request):
        response = HttpResponse(
            "Metrics are served to the configured addresses or with the bearer token.\n",
            status=403,
            content_type="text/plain",
        )
        if settings.METRICS_BEARER_TOKEN:
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if settings.PROMETHEUS_MULTIPROC_DIR:
        processes = CollectorRegistry(auto_describe=False)
        processes.register(ProcessFiles([settings.PROMETHEUS_MULTIPROC_DIR, *settings.METRICS_EXTRA_DIRS]))
    else:
        processes = REGISTRY
    body = generate_latest(processes) + generate_latest(_scrape_registry())
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
