"""Who the client is, behind the proxies this deployment trusts: the one place for it.

`client_ip` is the address every throttle, allauth's rate limits (through the account
adapter's `get_client_ip`), the security history and the request log use. Behind
`TRUSTED_PROXY_COUNT` proxies (nginx in deploy/nginx.conf appends the address it saw to
X-Forwarded-For) the client is the entry that many places from the right; anything further
left was written by the client and is ignored.
"""

import ipaddress
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest


def _clean_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip().strip("[]")))
    except ValueError:
        return None


def _hops(meta: Mapping[str, Any]) -> list[str]:
    return [hop for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]


def through_trusted_proxies(meta: Mapping[str, Any]) -> bool:
    """Whether the request came through the TRUSTED_PROXY_COUNT proxies (so their headers count)."""
    count = settings.TRUSTED_PROXY_COUNT
    return count > 0 and len(_hops(meta)) >= count


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address: REMOTE_ADDR, or the address the last trusted proxy saw."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    hops = _hops(request.META)
    if len(hops) < count:
        # Not through all our proxies (e.g. a health check to the app port): what we saw is all we know.
        return remote
    return _clean_ip(hops[-count]) or remote


def client_key(request: HttpRequest | None) -> str:
    """The client as a throttle counts it: its address, or for IPv6 its /64 (one host usually
    holds a whole /64, and would otherwise get a fresh allowance per address)."""
    ip = client_ip(request) or "unknown"
    if _clean_ip(ip) is None:
        return ip
    address = ipaddress.ip_address(ip)
    if address.version == 6 and address.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return ip


def forwarded_chain(meta: Mapping[str, Any]) -> list[str]:
    """Every address a request names: the X-Forwarded-For entries, then REMOTE_ADDR."""
    return [hop.strip() for hop in _hops(meta)] + [meta.get("REMOTE_ADDR", "")]


@lru_cache(maxsize=8)
def _networks(entries: tuple) -> tuple:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def in_networks(address: str, entries: Iterable[str]) -> bool:
    """Whether `address` is in one of `entries` (addresses or networks, as in settings)."""
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(entries)))
