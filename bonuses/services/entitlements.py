"""The bonus entitlements a distribution round freezes: EIP-55 ETH address → atomic SESH.

Registered in `DISTRIBUTION_SOURCES["bonus"]`. A bonus share is a fraction of a fixed pool, so
an address's amount can go *down* while the program runs (others keep earning), and a cumulative
round may never lower anyone's entitlement. So the bonus enters distribution rounds only once,
after the program ended: until a **final** snapshot at or past `SNB_FINAL_HEIGHT` is stored (at
or before the round's cut-off, when one is given), this returns nothing. The first round that
takes the bonus pays it to the registrations in force at that round's cut-off.

From then on the bonus is **pinned**: every later round gets exactly the bonus column of that
first round, whatever registrations change meanwhile. Its ETH addresses may already have claimed
on chain, so moving a bonus to a holder's new ETH address would lower the old address's
cumulative amount, which no round may do (and which would let both addresses be paid). Without
the pin, one holder re-registering would stop every later round from freezing, claims included.
A provisional snapshot may still be discarded by a reorg, and money never depends on one.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings

from bonuses.models import ServiceNodeSnapshot
from bonuses.services.allocations import BonusReport, compute_bonus
from swap.distributions.models import DistributionRound, RoundStatus


def pinned_bonus_round() -> DistributionRound | None:
    """The first frozen (or later) round that holds the bonus; None while no round does."""
    return (
        DistributionRound.objects.exclude(status=RoundStatus.DRAFT).filter(bonus_total_atomic__gt=0)
        .order_by("number").first()
    )


def bonus_report_as_paid(pinned: DistributionRound | None) -> BonusReport:
    """The final split paid to the registrations rounds use: those at `pinned`'s cut-off (pass
    `pinned_bonus_round()`), or the current ones while no round holds the bonus.

    What the public bonus inputs and the explanation page show, so they reproduce the bonus
    column of every round. Raises `BonusUnavailable` before a final snapshot exists.
    """
    return compute_bonus(final_only=True, registrations_at=pinned.cutoff_at if pinned is not None else None)


def bonus_entitlements(*, cutoff: datetime | None = None) -> dict[str, int]:
    """{EIP-55 address: atomic SESH} with a non-zero amount; {} until the program's end is final.

    Once a round holds the bonus: that round's bonus column, exactly. Before: the split at the
    latest final snapshot captured at or before `cutoff` (without one, the latest final
    snapshot), which must be at or past `SNB_FINAL_HEIGHT`, paid to the registrations in force at
    `cutoff` (without one, the current ones).
    """
    pinned = pinned_bonus_round()
    if pinned is not None:
        rows = pinned.entries.filter(bonus_atomic__gt=0).order_by("eth_address")
        return dict(rows.values_list("eth_address", "bonus_atomic"))
    finals = ServiceNodeSnapshot.objects.filter(provisional=False, height__gte=settings.SNB_FINAL_HEIGHT)
    if cutoff is not None:
        finals = finals.filter(captured_at__lte=cutoff)
    height = finals.order_by("-height").values_list("height", flat=True).first()
    if height is None:
        return {}
    report = compute_bonus(height, final_only=True, registrations_at=cutoff)
    display = report.eth_display
    return {display[eth]: amount for eth, amount in sorted(report.allocation.sesh_by_eth.items()) if amount > 0}
