"""HTTP helpers shared by pages and API: who the client is, and the headers our pages send.

The client IP feeds rate limits and the audit trail's hashed IP, so it must not be something a
client can choose. `X-Forwarded-For` is a list every hop appends to; only the entries added by
proxies we run are trustworthy. With `TRUSTED_PROXY_COUNT = N` the N-th entry from the right is
the address our outermost proxy saw; everything to its left was written by the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Our pages use only their own inline style block, same-origin forms and same-origin script files
# (the status page's SESH Claim button): nothing else may load, and no inline script runs.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def _valid_ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """Return the client's IP address as our trusted proxies saw it.

    Falls back to `REMOTE_ADDR` (the nearest hop) when the header is missing, shorter than the
    number of trusted proxies, or holds garbage at the trusted position: a misconfigured proxy
    then makes clients share one rate-limit bucket, which is safe, instead of letting a client
    pick its own.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    trusted = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    if trusted <= 0:
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < trusted:
        return remote
    return _valid_ip(hops[-trusted]) or remote


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
