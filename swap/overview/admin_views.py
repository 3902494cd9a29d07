"""Admin pages beyond the model lists: the reconciliation page and the allocation explanation.

Both are thin: `swap.overview.reconciliation` and `swap.overview.explanation` compute, these views
turn figures into table cells with links to the admin lists the figures come from. Neither reads
anything but the database (no chain, wallet or oxend call in a request). Who may see them: staff
whose view permissions cover the records shown (auditor, operator, superuser); they change nothing.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse

from swap.core.csv_writer import csv_text
from swap.distributions.services.claim_index import claimed_by_account
from swap.overview.closing import UNCLAIMED_HEADER, Closing, closing_from_records, records_report, unclaimed
from swap.overview.explanation import explain_address
from swap.overview.reconciliation import Check, Figure, Rows, reconcile
from swap.templatetags.admin_reports import coins

# Seeing the books means seeing the rows behind them.
RECONCILIATION_PERMISSIONS = (
    "distributions.view_distributionround",
    "distributions.view_distributionentry",
    "distributions.view_claimevent",
    "bonuses.view_stakeinterval",
    "claims.view_claimcredit",
    "claims.view_burn",
    "claims.view_deposit",
)

EXPLANATION_PERMISSIONS = (
    "registrations.view_registration",
    "bonuses.view_stakeinterval",
    "bonuses.view_servicenodesnapshot",
    "claims.view_claim",
    "claims.view_claimcredit",
    "distributions.view_distributionentry",
)


def rows_url(rows: Rows | None) -> str:
    """The admin changelist of `rows`, filtered; empty if there is none."""
    if rows is None:
        return ""
    app_label, model_name = rows.model.split(".")
    try:
        url = reverse(f"admin:{app_label}_{model_name}_changelist")
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode(rows.filters)}" if rows.filters else url


def _cell(label: str, figure: Figure | int, *, bad: bool = False) -> dict[str, Any]:
    value, rows = (figure.value, figure.rows) if isinstance(figure, Figure) else (figure, None)
    return {"label": label, "atomic": value, "coins": coins(value), "url": rows_url(rows), "bad": bad or value < 0}


def _check(check: Check) -> dict[str, Any]:
    return {"name": check.name, "ok": check.ok, "detail": check.detail, "url": rows_url(check.rows)}


def _require(request: HttpRequest, permissions: tuple[str, ...]) -> None:
    if not request.user.has_perms(permissions):
        raise PermissionDenied("viewing this page needs view permission on the records it shows")


def reconciliation_view(request: HttpRequest) -> HttpResponse:
    """Per program: pool, allocated, frozen, claimed on chain, outstanding, residual; rounds; every check."""
    _require(request, RECONCILIATION_PERMISSIONS)
    books = reconcile()
    programs = []
    for line in books.programs:
        bad = {figure for check in line.checks if not check.ok for figure in check.about}
        programs.append({
            "title": line.title, "note": line.note, "ok": line.ok,
            "cells": [
                _cell("pool", line.pool, bad="pool" in bad),
                _cell("allocated", line.allocated, bad="allocated" in bad),
                _cell("frozen in rounds", line.frozen, bad="frozen" in bad),
                _cell("claimed on chain", line.claimed, bad="claimed" in bad),
                _cell("outstanding", line.outstanding),
                _cell("residual", line.residual),
            ],
            "checks": [_check(check) for check in line.checks],
        })
    combined = books.combined
    rounds = [
        {
            "number": line.number, "status": line.status, "cutoff_at": line.cutoff_at, "ok": line.ok,
            "round_url": rows_url(Rows("distributions.distributionround", (("id__exact", str(line.id)),))),
            "entries_url": rows_url(line.rows), "count": line.count, "entry_count": line.entry_count,
            "cells": [_cell("bonus", line.bonus_total), _cell("claims", line.claims_total), _cell("total", line.total),
                      _cell("Σ entries", Figure(line.entries_total, line.rows), bad=line.entries_total != line.total)],
            "checks": [_check(check) for check in line.checks],
        }
        for line in books.rounds
    ]
    summary = books.claims
    oxen = [
        _cell("received", Figure(summary.received_oxen_atomic, Rows("claims.deposit"))),
        _cell("credited", Figure(summary.credited_oxen_atomic, Rows("claims.claimcredit"))),
        _cell("burned", Figure(summary.burned_oxen_atomic, Rows("claims.burn"))),
        _cell("credited, not burned yet", summary.outstanding_oxen_atomic),
    ]
    ending = closing_from_records()
    closing_check = closing_identity_check(ending)
    mismatches = [*books.mismatches, *([] if closing_check.ok else [closing_check])]
    context = {
        **admin.site.each_context(request),
        "title": "Reconciliation",
        "ok": not mismatches,
        "mismatches": [_check(check) for check in mismatches],
        "closing": _closing_rows(ending),
        "closing_check": _check(closing_check),
        "closing_sources": ending.sources,
        "programs": programs,
        "combined": [_cell(label, combined[key]) for key, label in (
            ("pool", "pool"), ("allocated", "allocated"), ("frozen", "frozen in rounds"),
            ("claimed", "claimed on chain"), ("outstanding", "outstanding"), ("residual", "residual"))],
        "rounds": rounds,
        "on_chain": books.on_chain,
        "on_chain_checks": [_check(check) for check in books.on_chain.checks],
        "claims_checks": [_check(check) for check in books.claims_checks],
        "oxen": oxen,
        "open_flags": summary.open_flags,
        "flags_url": rows_url(Rows("claims.claimflag", (("open", "yes"),))),
        "claim_events_url": rows_url(Rows("distributions.claimevent")),
    }
    return render(request, "admin/swap/reconciliation.html", context)


def closing_identity_check(books: Closing) -> Check:
    """pool = paid + withheld + remainder, overall (a red line on the page when it does not hold)."""
    figures = books.figures
    detail = (f"{figures.pool} = {figures.paid} + {figures.withheld} + {figures.remainder}" if figures.balanced else
              f"{figures.pool} ≠ {figures.paid} + {figures.withheld} + {figures.remainder} "
              f"(off by {figures.difference})")
    return Check("Program end: pool = paid + withheld + remainder", figures.balanced, detail,
                 Rows("chain.remainderwithdrawal"))


def _closing_rows(books: Closing) -> list[dict[str, Any]]:
    """One row per figure: each program's value, the overall value, its source."""
    figures = books.figures
    overall = {"pool": figures.pool, "paid": figures.paid, "withheld": figures.withheld, "remainder": figures.remainder}
    return [{"label": name, "source": books.sources[name],
             "cells": [_cell(program, line[f"{name}_atomic"]) for program, line in books.by_program.items()]
             + [_cell("overall", overall[name], bad=not figures.balanced)]}
            for name in ("pool", "paid", "withheld", "remainder")]


def program_report_view(request: HttpRequest) -> HttpResponse:
    """The closing report (pools, paid, withheld, remainder, rounds, deposits, the unclaimed) from the database."""
    _require(request, RECONCILIATION_PERMISSIONS)
    context = {**admin.site.each_context(request), "title": "Program closing report", "report": records_report()}
    return render(request, "admin/swap/program_report.html", context)


def unclaimed_csv_view(request: HttpRequest) -> HttpResponse:
    """The unclaimed report as CSV (the same columns `manage.py program_report` writes)."""
    _require(request, RECONCILIATION_PERMISSIONS)
    rows = [line.csv_row() for line in unclaimed(claimed_by_account())]
    response = HttpResponse(csv_text(UNCLAIMED_HEADER, rows), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="unclaimed.csv"'
    return response


def explanation_view(request: HttpRequest) -> HttpResponse:
    """Why an Oxen address gets what it gets: registrations, intervals, the split, claims, rounds."""
    _require(request, EXPLANATION_PERMISSIONS)
    address = request.GET.get("oxen_address", "").strip()[:200]
    context = {
        **admin.site.each_context(request),
        "title": "Explain an allocation",
        "oxen_address": address,
        "explanation": explain_address(address) if address else None,
    }
    return render(request, "admin/swap/explanation.html", context)


def report_urls() -> list[Any]:
    """URL patterns the admin site serves before its own (`admin:reconciliation`, `admin:explanation`)."""
    return [
        path("reconciliation/", admin.site.admin_view(reconciliation_view), name="reconciliation"),
        path("explain/", admin.site.admin_view(explanation_view), name="explanation"),
        path("program-report/", admin.site.admin_view(program_report_view), name="program-report"),
        path("program-report/unclaimed.csv", admin.site.admin_view(unclaimed_csv_view), name="unclaimed-csv"),
    ]
