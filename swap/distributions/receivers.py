"""Reacting to final outbox transactions: a proposal makes its round pending, an activation makes
it active (and starts payouts), a batch ends.

Connected in `DistributionsConfig.ready`. Runs inside the outbox's transaction (see
`swap.chain.signals`), so the round or batch changes together with the transaction's status.
This module sits above both services and tasks: a service says what should happen next (an
activated round's payouts) and this receiver enqueues it, after the transaction commits.
"""

from typing import Any

from django.dispatch import receiver

from swap.chain.models import L2Transaction
from swap.chain.signals import transaction_finalized
from swap.distributions.services import payouts, publishing
from swap.distributions.tasks import run_payouts_task


@receiver(transaction_finalized, dispatch_uid="distributions.on_transaction_finalized")
def on_transaction_finalized(sender: Any, *, transaction: L2Transaction, actor: str, **kwargs: Any) -> None:
    if transaction.purpose == L2Transaction.Purpose.PROPOSE_ROOT:
        publishing.on_propose_finalized(transaction, actor=actor)
    elif transaction.purpose == L2Transaction.Purpose.ACTIVATE_ROOT:
        active = publishing.on_activate_finalized(transaction, actor=actor)
        if active is not None:
            run_payouts_task.delay_on_commit(active.pk)
    elif transaction.purpose == L2Transaction.Purpose.PAYOUT_BATCH:
        payouts.on_batch_finalized(transaction, actor=actor)
