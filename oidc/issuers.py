"""Which issuer URLs the index may talk to: https:// only, except plain-http loopback issuers
when OIDC_ALLOW_INSECURE_LOCAL_ISSUERS is on (tests and development; settings.py refuses the
flag at start-up with DEBUG off)."""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError


def is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_issuer_url(url):
    """Raise ValidationError unless `url` is an issuer URL the index may use."""
    parts = urlsplit(url or "")
    if not parts.hostname or parts.query or parts.fragment or parts.username or parts.password:
        raise ValidationError(f"'{url}' is not an issuer URL (https://host[/path], no query or credentials).")
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and is_loopback(parts.hostname):
        if settings.OIDC_ALLOW_INSECURE_LOCAL_ISSUERS:
            return
        raise ValidationError(
            f"'{url}' is plain http: allowed for loopback issuers only with "
            "OIDC_ALLOW_INSECURE_LOCAL_ISSUERS=1 (never in production)."
        )
    raise ValidationError(f"'{url}' must use https://.")
