"""The claims entitlements a distribution round freezes: EIP-55 ETH address → atomic SESH.

Registered in `DISTRIBUTION_SOURCES["claims"]`. A claim credit never changes or disappears, so an
address's total only grows: the cumulative amount is the sum of its credits made at or before the
round's cut-off. A credit whose deposit later vanished or changed its amount is flagged, and no
round can be frozen while such a flag is open: a frozen amount becomes irreversible once its root
activates, so a person decides first (the ledger is append-only: a correction would be a new,
reviewed record).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Sum

from claims.models import ClaimCredit, ClaimFlag, FlagKind
from swap.distributions.exceptions import EntitlementsOnHoldError


def open_credit_flags() -> list[ClaimFlag]:
    """Open flags that question a credited amount: a credited deposit vanished, or changed amount."""
    credited_changed = ClaimFlag.objects.filter(
        kind=FlagKind.AMOUNT_CHANGED, resolved_at__isnull=True, deposit__credit__isnull=False
    )
    vanished = ClaimFlag.objects.filter(kind=FlagKind.CREDITED_VANISHED, resolved_at__isnull=True)
    return list((vanished | credited_changed).distinct().order_by("id"))


def claims_entitlements(*, cutoff: datetime | None = None) -> dict[str, int]:
    """{EIP-55 address: total credited atomic SESH}, addresses with a positive total only.

    Raises `EntitlementsOnHoldError` while a credited deposit is flagged as vanished or changed.
    """
    flags = open_credit_flags()
    if flags:
        shown = ", ".join(f"{flag.get_kind_display()} ({flag.key})" for flag in flags[:3])
        raise EntitlementsOnHoldError(
            f"{len(flags)} open review flag(s) question credited deposits: {shown}; resolve them in the admin "
            "(Claims › Claim flags) before freezing a round"
        )
    credits = ClaimCredit.objects.all()
    if cutoff is not None:
        credits = credits.filter(created_at__lte=cutoff)
    rows = credits.values("eth_address").annotate(total=Sum("sesh_atomic")).values_list("eth_address", "total")
    return {eth: int(total) for eth, total in sorted(rows) if total}
