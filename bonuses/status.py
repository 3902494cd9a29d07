"""The "Staking Points" section of the public status page (`/status/?q=…`), from the cached leaderboard."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from bonuses.services.leaderboard import current_leaderboard
from swap.registrations.status import StatusLookup, StatusSection


def staking_points_section(lookup: StatusLookup) -> StatusSection | None:
    """Points and rank of each currently registered Oxen address behind the query; nothing before any snapshot."""
    addresses = sorted({row.oxen_address for row in lookup.current})
    if not addresses:
        return None
    board = current_leaderboard()
    if board is None:
        return None
    entries = [entry for entry in (board.lookup(address) for address in addresses) if entry is not None]
    return StatusSection(
        _("Staking Points"),
        "bonuses/status_points.html",
        {"entries": entries, "snapshot_height": board.snapshot_height, "ranked_count": board.ranked_count},
    )
