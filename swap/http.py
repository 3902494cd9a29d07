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

# One policy for every response, portal, API docs and admin alike: scripts, styles, fonts and images
# only from our own origin (no inline script or style anywhere: pages link static files), requests
# only to our own API (the docs viewer fetches the schema), no plugins, no framing, no <base>, forms
# post to ourselves.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; manifest-src 'self'; object-src 'none'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=()"
# The API docs page alone: Redoc (drf-spectacular-sidecar, pinned) creates empty <style> elements and
# fills them through the CSSOM (styled-components), and injects one fixed stylesheet
# (perfect-scrollbar). Their hashes, not 'unsafe-inline', admit exactly these; any other inline
# style is still refused. Its search runs in a worker built from a blob: URL of its own code. The
# browser test (tests/test_csp_browser.py) fails if a new pin needs anything else.
API_DOCS_STYLE_HASHES = (
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",  # the empty string
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",  # perfect-scrollbar's CSS
)
API_DOCS_CSP = PAGE_CSP.replace(
    "style-src 'self';", f"style-src 'self' {' '.join(API_DOCS_STYLE_HASHES)}; worker-src blob:;"
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
    Rate limits key on `swap.ratelimit.client_bucket` of this address.
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


class ContentSecurityPolicyMiddleware:
    """Send `PAGE_CSP` and a Permissions-Policy with every response (issue 17, item 6).

    Under DEBUG, Django's own error pages (technical 404 and 500, inline styles and scripts) are
    left without it so a developer can read them; production never runs with DEBUG on.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.DEBUG and response.status_code in (404, 500):
            return response
        response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


def with_content_security_policy(policy: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Send `policy` instead of `PAGE_CSP` from one view (the middleware keeps a header already set)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            response = view(request, *args, **kwargs)
            response.headers["Content-Security-Policy"] = policy
            return response

        return wrapped

    return decorate


def with_page_security_headers(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a server-rendered page; its headers come from `ContentSecurityPolicyMiddleware`.

    Kept so a page's view says what it relies on; it sets the same headers itself, so a page
    rendered outside the middleware stack (a test's RequestFactory) still carries them.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

    return wrapped
