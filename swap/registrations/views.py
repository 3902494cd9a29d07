"""Registration pages: the form and the public status page. Thin: the service decides everything."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from swap.http import client_ip, with_page_security_headers
from swap.registrations.exceptions import (
    FieldProblem,
    RegistrationConflict,
    RegistrationRateLimited,
    RegistrationRefused,
)
from swap.registrations.forms import RegistrationForm
from swap.registrations.models import Registration
from swap.registrations.services import Submission, configured_network, refuse_malformed, submit_registration
from swap.registrations.status import look_up, status_sections

REGISTERED_SESSION_KEY = "registrations:registered"


def _raw_submission(form: RegistrationForm) -> Submission:
    """The submission as typed, for a form that failed its shape checks."""
    data = form.data
    signed_at = form.cleaned_data.get("signed_at") if "signed_at" not in form.errors else None
    return Submission(
        oxen_address=str(data.get("oxen_address", "")),
        eth_address=str(data.get("eth_address", "")),
        signature=str(data.get("signature", "")),
        signed_at=signed_at,
        node_pubkey=str(data.get("node_pubkey", "")),
        node_signature=str(data.get("node_signature", "")),
    )


def _page_context(form: RegistrationForm, **extra: object) -> dict[str, object]:
    network = configured_network()
    return {"form": form, "network": network.value, "now_unix": int(timezone.now().timestamp()), **extra}


@require_http_methods(["GET", "POST"])
@with_page_security_headers
def register(request: HttpRequest) -> HttpResponse:
    """The registration form (CSRF-protected); on success the registered page."""
    if request.method == "GET":
        return render(request, "registrations/register.html", _page_context(RegistrationForm()))
    form = RegistrationForm(request.POST)
    ip = client_ip(request)
    try:
        if form.is_valid():
            result = submit_registration(form.submission(), ip=ip, actor="web")
        else:
            refuse_malformed(_raw_submission(form), _form_problems(form), ip=ip, actor="web")
    except RegistrationRefused as refused:
        _show_problems(form, refused)
        return render(request, "registrations/register.html", _page_context(form), status=400)
    except RegistrationRateLimited as limited:
        response = render(
            request, "registrations/register.html", _page_context(form, page_error=limited.message), status=429
        )
        response["Retry-After"] = str(limited.retry_after)
        return response
    except RegistrationConflict as conflict:
        context = _page_context(form, page_error=conflict.message)
        return render(request, "registrations/register.html", context, status=409)
    # POST-redirect-GET: a reload of the success page shows it again instead of re-submitting the form.
    request.session[REGISTERED_SESSION_KEY] = {
        "id": result.registration.pk, "outcome": result.outcome,
        "replaced_eth": result.replaced.eth_address if result.replaced else "",
    }
    return HttpResponseRedirect(reverse("registered"), status=303)


@require_GET
@with_page_security_headers
def registered(request: HttpRequest) -> HttpResponse:
    """The success page of this browser's latest registration, with the next steps."""
    shown = request.session.get(REGISTERED_SESSION_KEY)
    registration = Registration.objects.filter(pk=shown["id"]).first() if shown else None
    if registration is None:
        return HttpResponseRedirect(reverse("register"))
    context = {"outcome": shown["outcome"], "replaced_eth": shown["replaced_eth"], "registration": registration}
    return render(request, "registrations/registered.html", context)


def _form_problems(form: RegistrationForm) -> dict[str, list[FieldProblem]]:
    return {
        field: [FieldProblem(error.code or "invalid", " ".join(error.messages)) for error in errors]
        for field, errors in form.errors.as_data().items()
    }


def _show_problems(form: RegistrationForm, refused: RegistrationRefused) -> None:
    """Put every problem under its field (once), the rest at the top of the form."""
    for field, problems in refused.problems.items():
        target = field if field in form.fields else None
        shown = set(form.errors.get(target or "__all__", []))
        for problem in problems:
            if problem.message not in shown:
                form.add_error(target, problem.message)


@require_GET
@with_page_security_headers
def status(request: HttpRequest) -> HttpResponse:
    """Registration, history and other apps' sections for an Oxen or ETH address."""
    query = request.GET.get("q", "")[:200]
    lookup = look_up(query) if query.strip() else None
    invalid = lookup is not None and lookup.kind == "invalid"
    sections = status_sections(lookup) if lookup is not None and not invalid else []
    context = {"query": query, "lookup": lookup, "sections": sections, "page_has_errors": invalid}
    return render(request, "registrations/status.html", context, status=400 if invalid else 200)
