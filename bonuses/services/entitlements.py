"""The bonus entitlements a distribution round freezes: EIP-55 ETH address → atomic SESH.

Registered in `DISTRIBUTION_SOURCES["bonus"]`. The amounts are exactly `bonus_allocations` at the
latest **final** snapshot (at or before the round's cut-off, when one is given): a provisional
snapshot may still be discarded by a reorg, and money must not depend on it. Note that a bonus
share is a fraction of a fixed pool, so an address's amount can go down while the program runs
(others keep earning): a round frozen before `SNB_FINAL_HEIGHT` is an interim figure.
"""

from __future__ import annotations

from datetime import datetime

from bonuses.models import ServiceNodeSnapshot
from bonuses.services.allocations import compute_bonus


def bonus_entitlements(*, cutoff: datetime | None = None) -> dict[str, int]:
    """{EIP-55 address: atomic SESH} with a non-zero amount; {} while no final snapshot exists.

    With `cutoff`, the latest final snapshot captured at or before it is used (what the service
    knew at the cut-off); without, the latest final snapshot.
    """
    finals = ServiceNodeSnapshot.objects.filter(provisional=False)
    if cutoff is not None:
        finals = finals.filter(captured_at__lte=cutoff)
    height = finals.order_by("-height").values_list("height", flat=True).first()
    if height is None:
        return {}
    report = compute_bonus(height, final_only=True)
    display = report.eth_display
    return {display[eth]: amount for eth, amount in sorted(report.allocation.sesh_by_eth.items()) if amount > 0}
