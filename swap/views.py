"""Portal pages of the shared core. Views only render; rules live in services."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
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
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer 200 when the process can reach its database: for load balancers and the runbook."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
