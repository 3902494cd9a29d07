"""Claim pages: open a claim, then follow it. Thin: `claims.services` decides everything.

Opening calls the wallet synchronously (the holder needs the deposit address now); the service
keeps that call short and answers 503 with nothing stored when the wallet is unavailable.
"""

from __future__ import annotations

import uuid

import segno
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from claims.exceptions import ClaimRateLimited, ClaimRefused, ClaimsWalletUnavailable
from claims.forms import OpenClaimForm
from claims.models import Claim
from claims.services.opening import open_claim
from claims.services.status import claim_status, current_terms
from swap.distributions.proofs import claim_context
from swap.http import client_ip, with_page_security_headers


def _open_page(request: HttpRequest, form: OpenClaimForm, status: int = 200, page_error: str = "") -> HttpResponse:
    context = {"form": form, "terms": current_terms(), "page_error": page_error}
    return render(request, "claims/open.html", context, status=status)


@require_http_methods(["GET", "POST"])
@with_page_security_headers
def open_claim_page(request: HttpRequest) -> HttpResponse:
    """The form; a valid POST opens (or finds) the claim and redirects to its page."""
    if request.method == "GET":
        return _open_page(request, OpenClaimForm())
    form = OpenClaimForm(request.POST)
    if not form.is_valid():
        return _open_page(request, form, 400)
    try:
        opened = open_claim(form.cleaned_data["oxen_address"], ip=client_ip(request), actor="web")
    except ClaimRefused as refused:
        for field, problems in refused.problems.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, problem.message)
        return _open_page(request, form, 400)
    except ClaimRateLimited as limited:
        response = _open_page(request, form, 429, limited.message)
        response["Retry-After"] = str(limited.retry_after)
        return response
    except ClaimsWalletUnavailable as unavailable:
        response = _open_page(request, form, 503, unavailable.message)
        response["Retry-After"] = "60"
        return response
    return HttpResponseRedirect(reverse("claim-detail", args=[opened.claim.pk]), status=303)


def qr_svg(address: str) -> str:
    """An inline SVG QR code of the deposit address (no image request: allowed by the page CSP)."""
    svg = segno.make(address, error="m").svg_inline(scale=4, title="Deposit address")
    return mark_safe(svg)  # noqa: S308 -- built by segno from a base58 address the service validated


@require_GET
@with_page_security_headers
def claim_detail(request: HttpRequest, claim_id: uuid.UUID) -> HttpResponse:
    claim = Claim.objects.select_related("subaddress").filter(pk=claim_id).first()
    if claim is None:
        raise Http404("no such claim")
    context = {"status": claim_status(claim), "terms": current_terms(), "qr": qr_svg(claim.subaddress.address),
               "sesh": claim_context(claim.eth_address)}
    return render(request, "claims/detail.html", context)
