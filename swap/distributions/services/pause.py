"""Emergency pause of the distributor from the guardian's key (`manage.py pause_distributor`).

For a wrong root or a stolen key (docs/threat-model.md): `pause()` makes every claim, payout batch
and activation revert until the Safe's owners unpause. The service's own signer holds
`PUBLISHER_ROLE` only, so the pause is sent straight from the watchdog's key (`PAUSER_ROLE`),
outside the publisher's outbox queue: it cannot wait behind anything. The payout batches the
outbox has *not* signed yet are given up in the same database transaction that records the
pause (their accounts are released and batched again by the first payout run after the unpause),
and `run_payouts` queues nothing while the contract is paused.
"""

from __future__ import annotations

from django.db import transaction

from swap.audit import record_event
from swap.chain import contracts
from swap.chain.client import get_client
from swap.chain.direct import SentTransaction, send_and_wait
from swap.chain.models import L2Transaction
from swap.chain.outbox import fail
from swap.chain.signer import load_guardian
from swap.distributions.exceptions import DistributionError
from swap.distributions.services.rounds import distributor_address

HELD_REASON = "held: the distributor is paused"
MAX_REASON_CHARS = 500


def pausing_or_paused(distributor: str) -> bool:
    """The contract is paused: a payout batch would revert."""
    return contracts.is_paused(get_client(), distributor)


def hold_unsigned_payouts(distributor: str, *, actor: str) -> list[int]:
    """Give up the payout batches not signed yet (inside the caller's transaction); their ids."""
    unsigned = list(
        L2Transaction.objects.select_for_update().filter(
            purpose=L2Transaction.Purpose.PAYOUT_BATCH, to_address=distributor, status=L2Transaction.Status.QUEUED,
        ).order_by("pk")
    )
    for tx in unsigned:
        fail(tx, reason=HELD_REASON, actor=actor, expected=L2Transaction.Status.QUEUED)
    return [tx.pk for tx in unsigned]


def pause_distributor(*, reason: str, actor: str) -> tuple[SentTransaction | None, list[int]]:
    """Send `pause()` from the guardian's key and give up the payout batches not signed yet.

    Returns (the pause transaction, or None when the contract was paused already; the ids of the
    held payout transactions).
    """
    reason = reason.strip()
    if not reason:
        raise DistributionError("say why the distributor is being paused (--reason)")
    if len(reason) > MAX_REASON_CHARS:
        raise DistributionError(f"the reason is longer than {MAX_REASON_CHARS} characters")
    distributor = distributor_address()
    client = get_client()
    sent = None
    if not contracts.is_paused(client, distributor):
        sent = send_and_wait(client, load_guardian(), to=distributor, data=contracts.pause_data())
    with transaction.atomic():
        held = hold_unsigned_payouts(distributor, actor=actor)
        record_event(
            "distributor:paused", actor=actor, subject=f"distributor:{distributor}",
            data={"reason": reason, "tx_hash": sent.tx_hash if sent else "", "already_paused": sent is None,
                  "held_payout_transactions": held},
        )
    return sent, held
