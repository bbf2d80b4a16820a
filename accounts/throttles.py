"""How often a client may fail: the throttles.

`client_ip` (core/clientip.py) is the address every
throttle, allauth's rate limits (through the adapter's `get_client_ip`) and the security
history use: behind `TRUSTED_PROXY_COUNT` proxies, the address the last of them saw.

Counters live in Django's cache, so with Redis configured every worker and node shares them.
"""

import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Throttle:
    """At most `limit` events per `window` seconds per key (a fixed window in the shared cache)."""

    name: str
    limit: int
    window: int

    def _key(self, ident, now):
        return f"throttle:{self.name}:{ident}:{int(now // self.window)}"

    def retry_after(self, now=None):
        now = time.time() if now is None else now
        return max(1, int(self.window - now % self.window))

    def count(self, ident):
        return cache.get(self._key(ident, time.time()), 0)

    def exceeded(self, ident):
        """True once `ident` has used up this window's allowance (nothing is counted)."""
        return self.count(ident) >= self.limit

    def hit(self, ident):
        """Count one event for `ident`; True when it went over the limit."""
        key = self._key(ident, time.time())
        if cache.add(key, 1, self.window + 1):
            return 1 > self.limit
        try:
            return cache.incr(key) > self.limit
        except ValueError:  # expired between add and incr
            cache.set(key, 1, self.window + 1)
            return 1 > self.limit

    def clear(self, ident):
        cache.delete(self._key(ident, time.time()))


def parse_rate(rate):
    """'20/h', '10/5m', '600/60s' -> (count, seconds)."""
    count, _, period = rate.partition("/")
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    number = period[:-1] or "1"
    return int(count), int(number) * units[period[-1]]


def throttle(name, rate):
    limit, window = parse_rate(rate)
    return Throttle(name, limit, window)


def account_key(login):
    """One throttle key per account, whether it is named by its username or any of its e-mail
    addresses; text naming no account is its own key (so guessing names is throttled too)."""
    from allauth.account.models import EmailAddress

    from .models import User

    login = (login or "").strip()
    if "@" in login:
        user_id = EmailAddress.objects.filter(email__iexact=login).values_list("user_id", flat=True).first()
    else:
        user_id = User.objects.filter(username__iexact=login).values_list("pk", flat=True).first()
    return f"user:{user_id}" if user_id is not None else f"login:{login.lower()}"
