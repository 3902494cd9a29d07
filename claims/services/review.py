"""Releasing a held deposit after a person reviewed it: the next poll may then credit it.

Only holds a person can judge are released: an unlock_time the sender set (once it has passed,
or if the operator accepts it) and an amount the wallet changed (after checking the chain). A
deposit held because the pool is exhausted cannot be released: there is nothing left to credit.
"""

from __future__ import annotations

from django.db import transaction

from claims.models import Deposit, DepositState, HoldReason
from swap.audit import record_event

RELEASABLE = (HoldReason.UNLOCK_TIME, HoldReason.AMOUNT_CHANGED)


def release_held(deposit_ids: list[int], *, actor: str) -> int:
    """Move releasable held deposits back to `seen` (compare-and-swap); returns how many."""
    released = 0
    with transaction.atomic():
        for deposit in Deposit.objects.select_for_update().filter(
            pk__in=deposit_ids, state=DepositState.HELD, hold_reason__in=RELEASABLE
        ):
            changed = Deposit.objects.filter(pk=deposit.pk, state=DepositState.HELD).update(
                state=DepositState.SEEN, hold_reason=HoldReason.NONE, released_by=actor
            )
            if changed:
                released += 1
                record_event("claim:deposit_released", actor=actor, subject=f"claim:{deposit.claim_id}", data={
                    "deposit_id": deposit.pk, "txid": deposit.txid, "minor": deposit.address_index,
                    "reason": deposit.hold_reason})
    return released
