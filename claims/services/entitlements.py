"""The claims entitlements a distribution round freezes: EIP-55 ETH address → atomic SESH.

Registered in `DISTRIBUTION_SOURCES["claims"]`. A claim credit never changes or disappears, so an
address's total only grows: the cumulative amount is the sum of its credits made at or before the
round's cut-off. A credit whose deposit later vanished stays counted until a person decides (it
is flagged); the ledger is append-only, so a correction would be a new, reviewed record.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Sum

from claims.models import ClaimCredit


def claims_entitlements(*, cutoff: datetime | None = None) -> dict[str, int]:
    """{EIP-55 address: total credited atomic SESH}, addresses with a positive total only."""
    credits = ClaimCredit.objects.all()
    if cutoff is not None:
        credits = credits.filter(created_at__lte=cutoff)
    rows = credits.values("eth_address").annotate(total=Sum("sesh_atomic")).values_list("eth_address", "total")
    return {eth: int(total) for eth, total in sorted(rows) if total}
