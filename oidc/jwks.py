"""Issuers' signing keys: `{iss}/.well-known/openid-configuration` -> `jwks_uri` -> JWKS.

Keys are kept in the shared cache per issuer (by `kid`); a `kid` the cache does not know makes
one refetch, at most once per OIDC_JWKS_REFRESH_SECONDS per issuer (so a flood of tokens with
made-up kids costs one fetch a minute). HTTP to issuers has bounded timeouts and a size cap.
When Redis is down the cache backend answers from this process's memory (core/cache.py), so
keys and the throttle then hold per process.
"""

import json
import logging
import ssl
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError

from .issuers import check_issuer_url

log = logging.getLogger(__name__)
MAX_DOCUMENT_BYTES = 256 * 1024


class KeyFetchError(Exception):
    """The issuer's keys could not be read; the message is safe to show to the client."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Issuers' documents are fetched from the URLs they name, never from where a redirect points
    (it could lead off https, or to another host)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise urllib.error.HTTPError(req.full_url, code, f"redirect to {newurl} not followed", headers, fp)


def _get_json(url):
    try:
        check_issuer_url(url)  # jwks_uri too: same scheme rules as the issuer
    except ValidationError as exc:
        raise KeyFetchError(exc.messages[0]) from None
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    handlers = [_NoRedirects()]
    if urlsplit(url).scheme == "https":
        handlers.append(urllib.request.HTTPSHandler(context=ssl.create_default_context()))
    opener = urllib.request.build_opener(*handlers)
    try:
        with opener.open(request, timeout=settings.OIDC_HTTP_TIMEOUT_SECONDS) as resp:
            body = resp.read(MAX_DOCUMENT_BYTES + 1)
    except (OSError, ValueError) as exc:
        raise KeyFetchError(f"could not fetch {url}: {exc}") from None
    if len(body) > MAX_DOCUMENT_BYTES:
        raise KeyFetchError(f"{url} is larger than {MAX_DOCUMENT_BYTES} bytes")
    try:
        return json.loads(body)
    except ValueError:
        raise KeyFetchError(f"{url} is not JSON") from None


def fetch_keys(issuer_url):
    """{kid: jwk} from the issuer's discovery document and JWKS (network)."""
    discovery = _get_json(issuer_url.rstrip("/") + "/.well-known/openid-configuration")
    if not isinstance(discovery, dict) or discovery.get("issuer") != issuer_url or not discovery.get("jwks_uri"):
        raise KeyFetchError(f"the discovery document of {issuer_url} does not name this issuer and a jwks_uri")
    jwks = _get_json(str(discovery["jwks_uri"]))
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    if not isinstance(keys, list):
        raise KeyFetchError(f"the JWKS of {issuer_url} has no keys")
    return {str(k["kid"]): k for k in keys if isinstance(k, dict) and k.get("kid")}


def signing_key(issuer_url, kid):
    """The JWK (a dict) with this kid, or None when the issuer has none such."""
    key = f"oidc:jwks:{issuer_url}"
    keys = cache.get(key)
    if keys is not None and kid in keys:
        return keys[kid]
    if not cache.add(f"oidc:jwks-fetched:{issuer_url}", 1, settings.OIDC_JWKS_REFRESH_SECONDS):
        return (keys or {}).get(kid)  # refreshed less than a minute ago: don't ask the issuer again
    keys = fetch_keys(issuer_url)
    cache.set(key, keys, 24 * 3600)
    return keys.get(kid)
