"""Reacting to final outbox transactions: a published root confirms its round, a batch ends.

Connected in `DistributionsConfig.ready`. Runs inside the outbox's transaction (see
`swap.chain.signals`), so the round or batch changes together with the transaction's status.
This module sits above both services and tasks: a service says what should happen next (a
confirmed round's payouts) and this receiver enqueues it, after the transaction commits.
"""

from typing import Any

from django.dispatch import receiver

from swap.chain.models import L2Transaction
from swap.chain.signals import transaction_finalized
from swap.distributions.services import payouts, rounds
from swap.distributions.tasks import run_payouts_task


@receiver(transaction_finalized, dispatch_uid="distributions.on_transaction_finalized")
def on_transaction_finalized(sender: Any, *, transaction: L2Transaction, actor: str, **kwargs: Any) -> None:
    if transaction.purpose == L2Transaction.Purpose.PUBLISH_ROOT:
        confirmed = rounds.on_publish_finalized(transaction, actor=actor)
        if confirmed is not None:
            run_payouts_task.delay_on_commit(confirmed.pk)
    elif transaction.purpose == L2Transaction.Purpose.PAYOUT_BATCH:
        payouts.on_batch_finalized(transaction, actor=actor)
