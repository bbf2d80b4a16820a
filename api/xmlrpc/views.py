"""POST /pypi with text/xml: XML-RPC. Every failure is an XML-RPC fault, never an HTML 500."""

import logging
import xmlrpc.client

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from . import methods, protocol

logger = logging.getLogger(__name__)
MAX_REQUEST_BYTES = 1024 * 1024


def _xml(body, status=200):
    response = HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def _fault(code, message):
    return _xml(protocol.dump_fault(xmlrpc.client.Fault(code, message)))


@csrf_exempt
def endpoint(request):
    if request.method != "POST":
        response = HttpResponse(
            "XML-RPC answers POST requests with a text/xml body.\n",
            status=405,
            content_type="text/plain; charset=utf-8",
        )
        response["Allow"] = "POST"
        return response
    content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if content_type != "text/xml":
        return HttpResponse(
            "XML-RPC requests must be sent as text/xml.\n", status=415, content_type="text/plain; charset=utf-8"
        )
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_REQUEST_BYTES:
        return _fault(protocol.INVALID_REQUEST, "Request too large.")
    try:
        name, params = protocol.parse_request(request.body)
    except protocol.RequestError as exc:
        return _xml(protocol.dump_fault(exc.fault))
    token = methods.BASE_URL.set(request.build_absolute_uri("/").rstrip("/"))
    try:
        return _xml(protocol.dump_result(methods.call(name, params)))
    except methods.UnknownMethod:
        return _fault(protocol.METHOD_NOT_FOUND, f"Method not found: {name!r}. See system.listMethods.")
    except (TypeError, ValueError, OverflowError) as exc:
        return _fault(protocol.INVALID_PARAMS, f"Invalid parameters for {name}: {exc}")
    except Exception:
        logger.exception("XML-RPC method %s failed", name)
        return _fault(protocol.INTERNAL_ERROR, "Internal error.")
    finally:
        methods.BASE_URL.reset(token)
