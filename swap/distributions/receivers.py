"""Reacting to final outbox transactions: a published root confirms its round, a batch ends.

Connected in `DistributionsConfig.ready`. Runs inside the outbox's transaction (see
`swap.chain.signals`), so the round or batch changes together with the transaction's status.
"""

from typing import Any

from django.dispatch import receiver

from swap.chain.models import L2Transaction
from swap.chain.signals import transaction_finalized
from swap.distributions.services import payouts, rounds


@receiver(transaction_finalized, dispatch_uid="distributions.on_transaction_finalized")
def on_transaction_finalized(sender: Any, *, transaction: L2Transaction, actor: str, **kwargs: Any) -> None:
    if transaction.purpose == L2Transaction.Purpose.PUBLISH_ROOT:
        rounds.on_publish_finalized(transaction, actor=actor)
    elif transaction.purpose == L2Transaction.Purpose.PAYOUT_BATCH:
        payouts.on_batch_finalized(transaction, actor=actor)
