"""Brute-force protection for the admin login: lock out per client and per username, audit every failure.

A password guess is refused *before* the password is checked once the client (its rate-limit
bucket: an IPv4 address, an IPv6 /64) or the username has failed `ADMIN_LOGIN_RATE_LIMIT_IP` /
`ADMIN_LOGIN_RATE_LIMIT_USERNAME` times in the current window; a refused attempt costs one insert
(its audit event) and no password hash. Every failure is an `admin:login_failed` event, every
refusal an `admin:login_locked` event, with the hashed client IP.

Why the project's limiter (`swap.ratelimit`) and not django-axes: the counters then
live where every other limit lives (the Redis cache, shared by all web workers, no new tables or
migrations), they key on the one client-IP function and its IPv6 buckets instead of a second IP
parser (axes reads addresses through django-ipware), the rates read like every other limit
("10/hour"), and the audit trail gets our own events in our own format.

The per-username counter can be filled by anyone who knows a username, which locks its owner out
until the window ends: that is the price of stopping guesses spread over many addresses. Keep
`/admin/` behind an IP allowlist at the proxy (docs/operations.md) so strangers never reach it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from swap.audit import record_event
from swap.ratelimit import Limiter, client_bucket, parse_rate

# Django's usernames are at most 150 characters; a longer one is a guess and counts as its prefix.
MAX_USERNAME_CHARS = 150


@dataclass(frozen=True)
class LoginLockout:
    scope: str  # "admin-login-ip" or "admin-login-username"
    retry_after: int

    @property
    def message(self) -> str:
        what = "from your network address" if self.scope == "admin-login-ip" else "for this username"
        minutes = max(1, -(-self.retry_after // 60))
        return (f"Too many failed login attempts {what}. Try again in {minutes} minute{'s' if minutes != 1 else ''}, "
                "or ask another administrator.")


def normalized_username(username: str) -> str:
    """The key a username is counted under: trimmed, lowercase, bounded (so variants share it)."""
    return username.strip().lower()[:MAX_USERNAME_CHARS]


def _limiters(ip: str, username: str) -> list[tuple[Limiter, str]]:
    return [
        (Limiter("admin-login-ip", parse_rate(settings.ADMIN_LOGIN_RATE_LIMIT_IP)), client_bucket(ip)),
        (Limiter("admin-login-username", parse_rate(settings.ADMIN_LOGIN_RATE_LIMIT_USERNAME)),
         normalized_username(username)),
    ]


def check_login_allowed(ip: str, username: str) -> LoginLockout | None:
    """None if this attempt may check a password; else the lockout, already audited."""
    for limiter, subject in _limiters(ip, username):
        retry_after = limiter.retry_after(subject)
        if retry_after is not None:
            lockout = LoginLockout(limiter.scope, retry_after)
            with transaction.atomic():
                record_event("admin:login_locked", actor="web", subject=f"user:{normalized_username(username)}",
                             ip=ip, data={"scope": lockout.scope, "retry_after": retry_after})
            return lockout
    return None


def record_login_failure(ip: str, username: str, reason: str) -> None:
    """Count a failed login against the client and the username, and audit it."""
    for limiter, subject in _limiters(ip, username):
        limiter.count_failure(subject)
    with transaction.atomic():
        record_event("admin:login_failed", actor="web", subject=f"user:{normalized_username(username)}", ip=ip,
                     data={"username": username[:MAX_USERNAME_CHARS], "reason": reason})


def lift_lockout(*, username: str = "", ip: str = "", actor: str) -> None:
    """Forget the current window's failures of a username and/or a client (audited)."""
    limiters = {limiter.scope: limiter for limiter, _ in _limiters(ip, username)}
    if username:
        limiters["admin-login-username"].reset(normalized_username(username))
    if ip:
        limiters["admin-login-ip"].reset(client_bucket(ip))
    with transaction.atomic():
        record_event("admin:login_unlocked", actor=actor, subject=f"user:{normalized_username(username)}",
                     ip=ip or None, data={"username": bool(username), "client": bool(ip)})
