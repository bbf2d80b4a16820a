"""Trusted Publishing endpoints at the host root (clients build them from the upload URL's host):
GET /_/oidc/audience, POST /_/oidc/mint-token, POST /_/oidc/burn-token. The work is in
oidc/exchange.py; these views only read JSON and shape the answers pypi.org gives."""

import json

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from accounts.tokens import burn_token
from oidc.exchange import ExchangeError, count_failure, mint
from packages import flags

MAX_BODY = 32 * 1024


def _disabled():
    if flags.is_enabled(flags.DISALLOW_OIDC):
        return _error(
            403,
            "not-enabled",
            "Trusted publishing is disabled on this index by its staff.",
            message="Trusted publishing is disabled",
        )
    return None


def _error(status, code, description, message="Token request failed"):
    return JsonResponse({"message": message, "errors": [{"code": code, "description": description}]}, status=status)


def _token_from_body(request):
    if len(request.body) > MAX_BODY:
        raise ExchangeError("invalid-payload", f"The request body is larger than {MAX_BODY} bytes.")
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise ExchangeError("invalid-payload", "The request body is not JSON.") from None
    token = payload.get("token") if isinstance(payload, dict) else None
    if not isinstance(token, str) or not token:
        raise ExchangeError("invalid-payload", 'Send {"token": "<token>"}.')
    return token


@require_GET
def audience(request):
    return _disabled() or JsonResponse({"audience": settings.OIDC_AUDIENCE})


@csrf_exempt  # machine endpoint: the OIDC token is the credential
@require_POST
def mint_token(request):
    refused = _disabled()
    if refused:
        return refused
    try:
        token = _token_from_body(request)
    except ExchangeError as exc:
        count_failure(exc.code)
        return _error(422, exc.code, exc.description)
    try:
        minted = mint(token)  # counts its refusals
    except ExchangeError as exc:
        return _error(422, exc.code, exc.description)
    return JsonResponse({"success": True, "token": minted.raw, "expires": int(minted.expires.timestamp())})


@csrf_exempt
@require_POST
def burn(request):
    try:
        raw = _token_from_body(request)
    except ExchangeError as exc:
        return _error(422, exc.code, exc.description, message="Token revocation failed")
    if not burn_token(raw):
        return _error(
            422,
            "invalid-token",
            "This is not a live token minted for a trusted publisher.",
            message="Token revocation failed",
        )
    return JsonResponse({"success": True})
