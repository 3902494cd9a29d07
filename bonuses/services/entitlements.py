"""The bonus entitlements a distribution round freezes: EIP-55 ETH address → atomic SESH.

Registered in `DISTRIBUTION_SOURCES["bonus"]`. A bonus share is a fraction of a fixed pool, so
an address's amount can go *down* while the program runs (others keep earning), and a cumulative
round may never lower anyone's entitlement. So the bonus enters distribution rounds only once,
after the program ended: until a **final** snapshot at or past `SNB_FINAL_HEIGHT` is stored (at
or before the round's cut-off, when one is given), this returns nothing; from then on it returns
exactly `bonus_allocations` at that snapshot, which no later snapshot can change. A provisional
snapshot may still be discarded by a reorg, and money never depends on one.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings

from bonuses.models import ServiceNodeSnapshot
from bonuses.services.allocations import compute_bonus


def bonus_entitlements(*, cutoff: datetime | None = None) -> dict[str, int]:
    """{EIP-55 address: atomic SESH} with a non-zero amount; {} until the program's end is final.

    With `cutoff`, the latest final snapshot captured at or before it is used (what the service
    knew at the cut-off); without, the latest final snapshot. Either must be at or past
    `SNB_FINAL_HEIGHT`, so the amounts are the final split and never change again.
    """
    finals = ServiceNodeSnapshot.objects.filter(provisional=False, height__gte=settings.SNB_FINAL_HEIGHT)
    if cutoff is not None:
        finals = finals.filter(captured_at__lte=cutoff)
    height = finals.order_by("-height").values_list("height", flat=True).first()
    if height is None:
        return {}
    report = compute_bonus(height, final_only=True)
    display = report.eth_display
    return {display[eth]: amount for eth, amount in sorted(report.allocation.sesh_by_eth.items()) if amount > 0}
