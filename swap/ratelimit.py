"""Failure-counting rate limits in the Django cache (Redis in production), warehouse style.

A limit is checked *before* any work and counted only when the attempt *fails*: someone who keeps
sending bad signatures or bad addresses is slowed down, while a person who gets it right at the
third try never notices. Windows are fixed (the counter key carries the window's start), so the
count and its expiry live in one cache entry and every worker process agrees on them.

Rates read `"<count>/<period>"` with period `second`, `minute`, `hour` or `day` (for example
`"20/hour"`); `"0"`, `"off"` or an empty string disables a limit.

Which counters strangers can fill decides what may be checked first. A counter keyed by the
client (`client_bucket`) or by the client *and* a subject is filled only by that client, so it is
checked before any work. A counter keyed by a subject alone (an Oxen address, a username) can be
filled by anyone, so it must never refuse a request that would succeed (issue 17, item 1).
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
# Every limit's scope, for /metrics (`sesh_rate_limit_hits_total{limit=…}`); tests/monitoring checks
# that each `Limiter("…")` in the code is listed. "ip" and "address" are the registration's.
SCOPES = ("ip", "address", "payout-ip", "payout-account", "claims-ip", "admin-login-ip", "admin-login-username")
HITS_KEY = "ratelimit-hits:{scope}"


def count_hit(scope: str) -> None:
    """Count one refusal by the limit `scope`, in the cache beside the limits' own counters.

    The cache is Redis in production: every web and worker process adds to the same counter, and
    a flood of refusals costs no database write. It never expires; a Redis restart starts it at
    zero again, which Prometheus reads as a counter reset.
    """
    key = HITS_KEY.format(scope=scope)
    cache.add(key, 0, timeout=None)
    try:
        cache.incr(key)
    except ValueError:  # evicted between add() and incr()
        cache.add(key, 1, timeout=None)


def hits() -> dict[str, int]:
    """Refusals so far per scope (one cache round trip)."""
    found = cache.get_many([HITS_KEY.format(scope=scope) for scope in SCOPES])
    return {scope: int(found.get(HITS_KEY.format(scope=scope), 0)) for scope in SCOPES}


def client_bucket(ip: str) -> str:
    """The rate-limit key of a client address: IPv4 as is, IPv6 by its network.

    One IPv6 subscriber holds a whole /64 (often a /56): counting each address would give one
    person 2^64 separate limits. `RATE_LIMIT_IPV6_PREFIX` (default 64) sets the network size; an
    IPv4-mapped IPv6 address counts as its IPv4 address. Text that is not an address is its own key.
    """
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        prefix = int(settings.RATE_LIMIT_IPV6_PREFIX)
        return str(ipaddress.IPv6Network((address, prefix), strict=False))
    return str(address)


@dataclass(frozen=True)
class Rate:
    """At most `count` failures per `period` seconds."""

    count: int
    period: int


def parse_rate(text: str) -> Rate | None:
    """Parse a rate setting; None means "no limit". Raises ValueError on a malformed value."""
    cleaned = (text or "").strip().lower()
    if cleaned in ("", "0", "off", "none"):
        return None
    count_text, _, period_text = cleaned.partition("/")
    period_text = period_text.removesuffix("s")  # "hours" reads like "hour"
    if not count_text.isdigit() or period_text not in _PERIODS or int(count_text) <= 0:
        raise ValueError(f"rate {text!r} is not <count>/<second|minute|hour|day>")
    return Rate(int(count_text), _PERIODS[period_text])


@dataclass(frozen=True)
class Limiter:
    """One named limit (for example `ip` or `address`) over keys such as an IP or an address."""

    scope: str
    rate: Rate | None

    def _key(self, subject: str, now: float) -> tuple[str, int]:
        assert self.rate is not None
        window_start = int(now) - int(now) % self.rate.period
        # Hash the subject: cache keys stay short and printable whatever a client sends.
        digest = hashlib.sha256(subject.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return f"ratelimit:{self.scope}:{digest}:{window_start}", window_start

    def retry_after(self, subject: str, now: float | None = None) -> int | None:
        """Seconds until the subject may try again, or None when it is under its limit."""
        if self.rate is None or not subject:
            return None
        now = time.time() if now is None else now
        key, window_start = self._key(subject, now)
        failures = cache.get(key, 0)
        if failures < self.rate.count:
            return None
        count_hit(self.scope)
        return max(1, window_start + self.rate.period - int(now))

    def reset(self, subject: str, now: float | None = None) -> None:
        """Forget the subject's count in the current window (an operator lifting a lockout)."""
        if self.rate is None or not subject:
            return
        cache.delete(self._key(subject, time.time() if now is None else now)[0])

    def count_failure(self, subject: str, now: float | None = None) -> None:
        """Count one failed attempt for the subject in the current window."""
        if self.rate is None or not subject:
            return
        now = time.time() if now is None else now
        key, window_start = self._key(subject, now)
        timeout = window_start + self.rate.period - int(now) + 1
        # add() is a no-op when the key exists; incr() is atomic in Redis and per-process locmem.
        cache.add(key, 0, timeout=timeout)
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr(): start the window's count again
            cache.add(key, 1, timeout=timeout)

