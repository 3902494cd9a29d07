"""HTTP helpers shared by pages and API: who the client is, and the headers our pages send.

The client IP feeds rate limits and the audit trail's hashed IP, so it must not be something a
client can choose. `X-Forwarded-For` is a list every hop appends to; only the entries added by
proxies we run are trustworthy. With `TRUSTED_PROXY_COUNT = N` the N-th entry from the right is
the address our outermost proxy saw; everything to its left was written by the client. A request
with fewer entries did not come through our proxies and is refused (400).
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

# Our pages use only their own inline style block, same-origin forms and same-origin script files
# (the status page's SESH Claim button): nothing else may load, and no inline script runs.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


class UntrustedForwardedFor(SuspiciousOperation):
    """The request did not come through every trusted proxy: Django answers 400 and logs it.

    With `TRUSTED_PROXY_COUNT = N`, every request reaching us has passed N proxies, each of which
    appended one entry. Fewer entries (or garbage where our outermost proxy writes) means the
    request bypassed a proxy or a proxy is misconfigured; guessing a client from it would let a
    client choose its own rate-limit bucket, or put every client into one.
    """


def _valid_ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """Return the client's IP address as our outermost trusted proxy saw it (normalised).

    Raises `UntrustedForwardedFor` (HTTP 400) when `X-Forwarded-For` is missing, shorter than
    `TRUSTED_PROXY_COUNT`, or holds something other than an IP address at the trusted position.
    Rate limits key on `swap.registrations.ratelimit.client_bucket` of this address.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    trusted = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    if trusted <= 0:
        return _valid_ip(remote) or remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < trusted:
        raise UntrustedForwardedFor(
            f"X-Forwarded-For has {len(hops)} entries but TRUSTED_PROXY_COUNT is {trusted}: "
            f"the request from {remote or 'an unknown peer'} did not come through every trusted proxy"
        )
    found = _valid_ip(hops[-trusted])
    if found is None:
        raise UntrustedForwardedFor(
            f"X-Forwarded-For entry {len(hops) - trusted + 1} of {len(hops)} (TRUSTED_PROXY_COUNT is {trusted}) "
            "is not an IP address"
        )
    return found


def log_client_ip_configuration() -> None:
    """Say at start-up how client addresses are read, so a wrong proxy count is seen in the logs."""
    trusted = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    source = "REMOTE_ADDR" if trusted <= 0 else f"X-Forwarded-For entry {trusted} from the right"
    logger.info(
        "client IPs: TRUSTED_PROXY_COUNT=%d, the client is %s; rate limits group IPv6 clients by /%d",
        trusted, source, settings.RATE_LIMIT_IPV6_PREFIX,
    )


def with_page_security_headers(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Add a strict Content-Security-Policy to a server-rendered page.

    Per view rather than as middleware because the API docs page loads its viewer from a CDN and
    the admin has its own scripts; the portal pages need nothing but themselves.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response

    return wrapped
