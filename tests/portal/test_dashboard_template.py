"""The dashboard's words for pending amounts: the next round's date when announced, else that it is not."""

from __future__ import annotations

from datetime import UTC, datetime

from django.template.loader import render_to_string

from swap.overview.dashboard import AccountDashboard, ProgramFigures
from swap.registrations.status import StatusSection

ETH = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"


def board(next_round_at: datetime | None) -> str:
    dashboard = AccountDashboard(
        eth_address=ETH, bonus=ProgramFigures(0, 2_500_000_000, True), claims=ProgramFigures(0, 1, False),
        round=None, round_status="", activates_at=None, cumulative_atomic=0, claimable_atomic=0, claimed_atomic=0,
        next_round_at=next_round_at)
    section = StatusSection("Your SESH", "swap/dashboard.html", {"dashboards": [dashboard]})
    return render_to_string("swap/dashboard.html", {"section": section, "portal": {"explorer_url": ""}})


def test_pending_amounts_name_the_announced_date_of_the_next_round() -> None:
    html = board(datetime(2027, 1, 15, 12, tzinfo=UTC))
    assert "Pending amounts join the next round, expected on 2027-01-15." in html
    assert "2.5 SESH" in html and "0.000000001 SESH" in html and "2.500000001 SESH" in html  # owed = both


def test_without_an_announced_date_the_page_says_so() -> None:
    assert "its date is not announced yet" in board(None)
