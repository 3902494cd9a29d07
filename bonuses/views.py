"""The leaderboard page: ranks, points, estimates, and a lookup by full Oxen address. Renders only."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bonuses.services.leaderboard import current_leaderboard
from swap.http import with_page_security_headers
from swap.registrations.status import NOT_AN_ETH_ADDRESS_FOR_BONUS, check_lookup

PAGE_SIZE = 100


@require_GET
@with_page_security_headers
def leaderboard(request: HttpRequest) -> HttpResponse:
    """Top addresses by Staking Points; `?address=` looks one up, `?page=` pages through."""
    board = current_leaderboard()
    query = request.GET.get("address", "").strip()[:200]
    problem = found = None
    if query:
        kind, address, problem = check_lookup(query)
        if kind == "eth":
            problem = NOT_AN_ETH_ADDRESS_FOR_BONUS
        elif problem is None and board is not None:
            found = board.lookup(address)
    error = problem.message if problem else None
    page = Paginator(board.ranked if board else [], PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "board": board,
        "page": page,
        "rows": [{"entry": entry} for entry in page],
        "page_has_errors": error is not None,
        "query": query,
        "lookup": {"error": error, "problem": problem, "searched": bool(query) and error is None and board is not None,
                   "entry": found},
    }
    return render(request, "bonuses/leaderboard.html", context, status=400 if error else 200)
