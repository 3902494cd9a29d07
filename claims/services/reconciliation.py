"""Claims in numbers: the pool, what was credited, what the wallet received, what was burned.

`claims_summary()` is what the reconciliation page (SPEC §7) shows for this program. Everything
is summed from the records themselves (credits, deposits, burns), not from the ledger row's
running totals, so the page also checks the row: `ledger_matches` is false if they disagree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Any

from django.db.models import F, Q, QuerySet, Sum

from claims.models import Burn, ClaimCredit, ClaimFlag, ClaimsLedger, Deposit, DepositState
from claims.services.config import claim_rules
from swap.core.claims_allocation import credit_atomic


@dataclass(frozen=True)
class ClaimsSummary:
    pool_sesh_atomic: int  # the locked snapshot's pool, else CLAIMS_POOL_ATOMIC
    credited_sesh_atomic: int
    remaining_sesh_atomic: int  # pool − credited
    credited_oxen_atomic: int  # OXEN of the credited deposits
    received_oxen_atomic: int  # every deposit present in the wallet (credited, waiting, held, orphaned)
    burned_oxen_atomic: int
    outstanding_oxen_atomic: int  # credited OXEN not burned yet (negative: burned more than credited)
    unburned_received_oxen_atomic: int  # received − burned
    credit_count: int
    open_flags: int
    ledger_matches: bool

    def as_dict(self) -> dict[str, int | bool]:
        return asdict(self)


def _sum(queryset: QuerySet[Any], field: str) -> int:
    return int(queryset.aggregate(total=Sum(field))["total"] or 0)


def claims_summary() -> ClaimsSummary:
    ledger = ClaimsLedger.objects.filter(pk=1).first()
    pool = ledger.pool_atomic if ledger is not None and ledger.snapshot_id else claim_rules().pool_atomic
    credited_sesh = _sum(ClaimCredit.objects.all(), "sesh_atomic")
    credited_oxen = _sum(ClaimCredit.objects.all(), "amount_oxen_atomic")
    received = _sum(Deposit.objects.filter(Q(vanished_at__isnull=True) | Q(state=DepositState.CREDITED)),
                    "amount_atomic")
    burned = _sum(Burn.objects.all(), "amount_atomic")
    count = ClaimCredit.objects.count()
    matches = ledger is None and count == 0 or ledger is not None and (
        ledger.credited_sesh_atomic, ledger.credited_oxen_atomic, ledger.credit_count
    ) == (credited_sesh, credited_oxen, count)
    return ClaimsSummary(
        pool_sesh_atomic=pool,
        credited_sesh_atomic=credited_sesh,
        remaining_sesh_atomic=pool - credited_sesh,
        credited_oxen_atomic=credited_oxen,
        received_oxen_atomic=received,
        burned_oxen_atomic=burned,
        outstanding_oxen_atomic=credited_oxen - burned,
        unburned_received_oxen_atomic=received - burned,
        credit_count=count,
        open_flags=ClaimFlag.objects.filter(resolved_at__isnull=True).count(),
        ledger_matches=bool(matches),
    )


def withheld_sesh_atomic() -> int:
    """What the late-claim multiplier kept back from the credits: Σ (floor(OXEN × rate) − wanted).

    Reserved for node rewards: it stays in the distributor and leaves with the remainder. A pool
    cap is not counted here (that part was never wanted), only the multiplier's cut.
    """
    rows = ClaimCredit.objects.exclude(multiplier_num=F("multiplier_den")).values_list(
        "amount_oxen_atomic", "rate_num", "rate_den", "wanted_sesh_atomic")
    return sum(credit_atomic(amount, Fraction(num, den)) - wanted for amount, num, den, wanted in rows)
