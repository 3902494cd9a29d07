"""Failure-counting rate limits in the Django cache (Redis in production), warehouse style.

A limit is checked *before* any work and counted only when the attempt *fails*: someone who keeps
sending bad signatures or bad addresses is slowed down, while a person who gets it right at the
third try never notices. Windows are fixed (the counter key carries the window's start), so the
count and its expiry live in one cache entry and every worker process agrees on them.

Rates read `"<count>/<period>"` with period `second`, `minute`, `hour` or `day` (for example
`"20/hour"`); `"0"`, `"off"` or an empty string disables a limit.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache

_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


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
        return f"ratelimit:registration:{self.scope}:{digest}:{window_start}", window_start

    def retry_after(self, subject: str, now: float | None = None) -> int | None:
        """Seconds until the subject may try again, or None when it is under its limit."""
        if self.rate is None or not subject:
            return None
        now = time.time() if now is None else now
        key, window_start = self._key(subject, now)
        failures = cache.get(key, 0)
        if failures < self.rate.count:
            return None
        return max(1, window_start + self.rate.period - int(now))

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

