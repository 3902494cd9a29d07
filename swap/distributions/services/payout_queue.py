"""Where an account's delivery request stands: what the "Deliver my SESH" button shows.

Read-only. The payout job (`payouts.run_payouts`, every `CELERY_BEAT_SCHEDULE` run) batches the
due accounts of the active round in address order, `L2_PAYOUT_BATCH_SIZE` per `claimMany`, so an
account's place in the queue is its position in that same order: the batch it will ride in is
`(place - 1) // L2_PAYOUT_BATCH_SIZE + 1` of the next run.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings

from swap.distributions.models import DistributionEntry, PayoutBatch, PayoutItem, PayoutRequest
from swap.distributions.services.claim_index import claimed_of
from swap.distributions.services.payouts import due_accounts
from swap.distributions.services.rounds import current_round


class DeliveryState:
    """The states of a delivery request, from the holder's side."""

    WAITING_FOR_ROUND = "waiting_for_round"  # no active round pays this account anything (yet)
    QUEUED = "queued"  # due: the next payout run batches it
    SENDING = "sending"  # in a batch whose transaction is not final yet
    DELIVERED = "delivered"  # the active round's amount is paid (by a batch or by a claim)


@dataclass(frozen=True)
class DeliveryStatus:
    eth_address: str
    requested_at: str
    state: str
    round: int | None  # the active round the state refers to
    place: int | None  # 1-based place among the due accounts, while queued
    queued: int  # how many accounts are due in the active round
    batch_size: int
    tx_hash: str  # the batch's mined transaction, once known

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def delivery_status(request: PayoutRequest) -> DeliveryStatus:
    """The state of one recorded request against the active round and the claim index."""
    round_ = current_round()
    base = {"eth_address": request.eth_address, "requested_at": request.created_at.isoformat(),
            "batch_size": max(1, settings.L2_PAYOUT_BATCH_SIZE)}
    entry = DistributionEntry.objects.filter(round=round_, eth_address=request.eth_address).first() if round_ else None
    if round_ is None or entry is None:
        return DeliveryStatus(state=DeliveryState.WAITING_FOR_ROUND, round=None, place=None, queued=0, tx_hash="",
                              **base)
    claimed, _ = claimed_of(request.eth_address)
    item = PayoutItem.objects.select_related("batch__transaction").filter(
        round=round_, eth_address=request.eth_address, active=True).first()
    tx_hash = item.batch.transaction.tx_hash if item and item.batch.transaction else ""
    due = due_accounts(round_)
    if claimed >= entry.cumulative_atomic or (item and item.batch.status == PayoutBatch.Status.CONFIRMED):
        state, place = DeliveryState.DELIVERED, None
    elif item is not None:
        state, place = DeliveryState.SENDING, None
    else:
        place = due.index(request.eth_address) + 1 if request.eth_address in due else None
        state = DeliveryState.QUEUED
    return DeliveryStatus(state=state, round=round_.number, place=place, queued=len(due), tx_hash=tx_hash, **base)


def delivery_status_of(eth_address: str) -> DeliveryStatus | None:
    """The request of an EIP-55 address, or None when nobody asked for its delivery."""
    request = PayoutRequest.objects.filter(eth_address=eth_address).first()
    return delivery_status(request) if request is not None else None
