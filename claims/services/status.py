"""What the claim pages and API show: the terms in force and one claim's deposits and credits.

Read-only. Amounts stay integers; the display strings (9 decimals, truncated) come from
`swap.core.claims_allocation`, so a page can never show a rounded-up figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from django.db.models import Sum
from django.utils import timezone

from claims.models import Claim, ClaimCredit, Deposit, SupplySnapshot
from claims.services.config import claim_rules
from claims.services.supply import active_snapshot
from swap.core.amounts import format_coins
from swap.core.claims_allocation import Step, format_atomic, format_ratio


@dataclass(frozen=True)
class Terms:
    snapshot: SupplySnapshot | None
    multiplier: Fraction
    schedule: tuple[Step, ...]
    confirmations: int
    min_deposit_atomic: int
    pool_atomic: int

    @property
    def pool_sesh(self) -> str:
        return format_coins(self.pool_atomic)

    @property
    def sesh_per_oxen(self) -> str:
        return self.snapshot.sesh_per_oxen if self.snapshot else ""

    @property
    def multiplier_text(self) -> str:
        return str(self.multiplier)

    @property
    def multiplier_decimal(self) -> str:
        return format_ratio(self.multiplier, 2)

    @property
    def effective_sesh_per_oxen(self) -> str:
        return format_ratio(self.snapshot.rate * self.multiplier) if self.snapshot else ""

    @property
    def min_deposit_oxen(self) -> str:
        return format_atomic(self.min_deposit_atomic)


def current_terms(now: datetime | None = None) -> Terms:
    rules = claim_rules()
    return Terms(
        snapshot=active_snapshot(),
        multiplier=rules.multiplier_at(now or timezone.now()),
        schedule=rules.schedule,
        confirmations=rules.confirmations,
        min_deposit_atomic=rules.min_deposit_atomic,
        pool_atomic=rules.pool_atomic,
    )


@dataclass(frozen=True)
class DepositView:
    deposit: Deposit
    credit: ClaimCredit | None

    @property
    def amount_oxen(self) -> str:
        return format_atomic(self.deposit.amount_atomic)

    @property
    def sesh(self) -> str:
        return format_atomic(self.credit.sesh_atomic) if self.credit else ""


@dataclass(frozen=True)
class ClaimStatus:
    claim: Claim
    deposits: list[DepositView]
    credited_sesh_atomic: int
    credited_oxen_atomic: int

    @property
    def credited_sesh(self) -> str:
        return format_atomic(self.credited_sesh_atomic)

    @property
    def credited_oxen(self) -> str:
        return format_atomic(self.credited_oxen_atomic)


def claim_status(claim: Claim) -> ClaimStatus:
    credits = {c.deposit_id: c for c in ClaimCredit.objects.filter(claim=claim)}
    deposits = [DepositView(d, credits.get(d.pk)) for d in claim.deposits.order_by("height", "first_seen_at", "id")]
    totals = ClaimCredit.objects.filter(claim=claim).aggregate(sesh=Sum("sesh_atomic"), oxen=Sum("amount_oxen_atomic"))
    return ClaimStatus(claim, deposits, int(totals["sesh"] or 0), int(totals["oxen"] or 0))


def claims_for(oxen_addresses: list[str], eth_addresses: list[str]) -> list[Claim]:
    """The claims of these Oxen or ETH addresses, newest first (for the status page)."""
    by_oxen = Claim.objects.filter(oxen_address__in=oxen_addresses)
    by_eth = Claim.objects.filter(eth_address__in=eth_addresses)
    return list((by_oxen | by_eth).select_related("subaddress").order_by("-created_at"))
