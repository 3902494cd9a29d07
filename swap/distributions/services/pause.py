"""Emergency pause of the distributor from the service's own signer (`manage.py pause_distributor`).

For a wrong root (docs/operations.md): `pause()` makes every claim and payout batch revert until
the admin multisig unpauses. The service's signer sends its transactions in nonce order, so
a pause queued now goes out after whatever that signer has already signed; to keep the queue
short, the payout batches it has *not* signed yet are given up in the same database transaction
(their accounts are released and batched again by the first payout run after the unpause), and
`run_payouts` queues nothing while a pause is on its way or in force. A pause from a separate
`PAUSER_ROLE` key is faster still; this is for when the service's key is the one at hand.
"""

from __future__ import annotations

from django.db import transaction

from swap.audit import record_event
from swap.chain import contracts, outbox
from swap.chain.client import get_client
from swap.chain.models import L2Transaction
from swap.distributions.exceptions import DistributionError
from swap.distributions.services.rounds import distributor_address

HELD_REASON = "held: the distributor is being paused"
MAX_REASON_CHARS = 500


def pause_subject(distributor: str) -> str:
    return f"distributor-pause:{distributor}"


def pending_pause(distributor: str) -> L2Transaction | None:
    """The open (not yet final) pause transaction for `distributor`, if one is on its way."""
    return (
        L2Transaction.objects.filter(
            purpose=L2Transaction.Purpose.ADMIN, subject=pause_subject(distributor),
            status__in=L2Transaction.OPEN_STATUSES,
        ).order_by("pk").first()
    )


def pausing_or_paused(distributor: str) -> bool:
    """A pause is on its way through the outbox, or the contract is paused: a batch would revert."""
    return pending_pause(distributor) is not None or contracts.is_paused(get_client(), distributor)


def pause_distributor(*, reason: str, actor: str) -> tuple[L2Transaction, list[int], bool]:
    """Queue `pause()` and give up the payout batches not signed yet.

    Returns (the pause transaction, the ids of the held payout transactions, whether it was queued
    now). Asking again while a pause is on its way returns that one and queues nothing.
    """
    reason = reason.strip()
    if not reason:
        raise DistributionError("say why the distributor is being paused (--reason)")
    if len(reason) > MAX_REASON_CHARS:
        raise DistributionError(f"the reason is longer than {MAX_REASON_CHARS} characters")
    distributor = distributor_address()
    with transaction.atomic():
        unsigned = list(
            L2Transaction.objects.select_for_update().filter(
                purpose=L2Transaction.Purpose.PAYOUT_BATCH, to_address=distributor,
                status=L2Transaction.Status.QUEUED,
            ).order_by("pk")
        )
        existing = pending_pause(distributor)
        if existing is not None:
            return existing, [], False
        for tx in unsigned:
            outbox.fail(tx, reason=HELD_REASON, actor=actor, expected=L2Transaction.Status.QUEUED)
        held = [tx.pk for tx in unsigned]
        pause = outbox.enqueue(
            purpose=L2Transaction.Purpose.ADMIN, subject=pause_subject(distributor), to=distributor,
            data=contracts.pause_data(), actor=actor,
        )
        record_event(
            "distributor:pause_requested", actor=actor, subject=f"distributor:{distributor}",
            data={"reason": reason, "l2tx": pause.pk, "held_payout_transactions": held},
        )
    return pause, held, True
