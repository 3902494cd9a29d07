"""Portal pages of the shared core. Views only render; rules live in services."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse
from django.views.decorators.http import require_GET
from drf_spectacular.views import SpectacularRedocView

from swap.http import API_DOCS_CSP, with_content_security_policy, with_page_security_headers
from swap.overview.rules import rules_in_force

# Redoc from our static files (drf-spectacular-sidecar), in a page with no inline script or style;
# its policy admits only the styles Redoc itself injects (swap/http.py).
api_docs = with_content_security_policy(API_DOCS_CSP)(
    SpectacularRedocView.as_view(url_name="api-schema", template_name="swap/api_docs.html")
)


@require_GET
@with_page_security_headers
def home(request: HttpRequest) -> HttpResponse:
    """Explain both programs and the rules in force."""
    return render(request, "swap/home.html", {"rules": rules_in_force()})


@require_GET
@with_page_security_headers
def verify(request: HttpRequest) -> HttpResponse:
    """How anyone checks a published round without trusting us (the holder's summary of docs/verify.md)."""
    origin = request.build_absolute_uri("/").rstrip("/")
    return render(request, "swap/verify.html", {"origin": origin, "rounds_url": reverse("api-rounds")})


@require_GET
@with_page_security_headers
def cannot_sign(request: HttpRequest) -> HttpResponse:
    """What a holder whose wallet cannot make the signature (Ledger, watch-only, multisig) must do."""
    return render(request, "swap/cannot_sign.html", {"register_url": reverse("register")})


@with_page_security_headers
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The portal's 404: the site's layout and a way on, never Django's bare page."""
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """The portal's 500: a static page (no database, no context processor that could fail again)."""
    return HttpResponseServerError(get_template("500.html").template.render(Context({})))


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer 200 when the process can reach its database: for load balancers and the runbook."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
