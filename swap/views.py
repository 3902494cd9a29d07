"""Portal pages of the shared core. Views only render; rules live in services."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from swap.http import with_page_security_headers
from swap.overview.rules import rules_in_force


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
