"""The leaderboard page: ranks, points, estimates, and a lookup by full Oxen address. Renders only."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bonuses.services.leaderboard import current_leaderboard
from swap.http import with_page_security_headers
from swap.registrations.proof import check_oxen_address
from swap.registrations.services import configured_network

PAGE_SIZE = 100
ATOMIC_PER_SESH = 10**9


def format_sesh(atomic: int) -> str:
    """Whole SESH with thousands separators and two decimals, truncated (an estimate never rounds up)."""
    whole, rest = divmod(atomic, ATOMIC_PER_SESH)
    return f"{whole:,}.{rest * 100 // ATOMIC_PER_SESH:02d}"


@require_GET
@with_page_security_headers
def leaderboard(request: HttpRequest) -> HttpResponse:
    """Top addresses by Staking Points; `?address=` looks one up, `?page=` pages through."""
    board = current_leaderboard()
    query = request.GET.get("address", "").strip()[:200]
    error = found = None
    if query:
        _, problem = check_oxen_address(query, configured_network())
        if problem is not None:
            error = problem.message
        elif board is not None:
            found = board.lookup(query)
    page = Paginator(board.ranked if board else [], PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "board": board,
        "page": page,
        "rows": [{"entry": entry, "estimated_sesh": format_sesh(entry.estimated_sesh_atomic)} for entry in page],
        "query": query,
        "lookup": {"error": error, "searched": bool(query) and error is None and board is not None, "entry": found},
        "found_sesh": format_sesh(found.estimated_sesh_atomic) if found else "",
    }
    return render(request, "bonuses/leaderboard.html", context, status=400 if error else 200)
