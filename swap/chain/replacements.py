"""New attempts for a nonce already handed out: fee bumps for stuck transactions, and cancels.

Both sign a new version with the same nonce and higher fees, store it (with its audit event)
before sending it, and leave the older attempts on record: whichever attempt is mined wins, and
the nonce makes all the others void, so no call can happen twice.

- A *replacement* repeats the call; it is made when an attempt has waited `L2_STUCK_SECONDS`.
- A *cancel* is a 0-value transfer to the sender. It is made when a node refuses the transaction
  for good (not "already known" or "nonce too low"), because an unsent nonce would hold back every
  transaction queued after it. If the cancel is mined, the transaction ends as failed and its owner
  takes the job back (`swap.chain.tracking`).

Fees rise by at least 12.5 % on both fields (nodes refuse smaller replacements) and to at least the
node's current suggestion, never above `L2_MAX_FEE_PER_GAS`.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from swap.audit import record_event
from swap.chain import authorization
from swap.chain.client import ChainClient
from swap.chain.models import AttemptKind, L2Transaction, L2TransactionAttempt
from swap.chain.outbox import record_broadcast, send_attempt, signable, signer_for, suggest_fees, tx_subject

logger = logging.getLogger(__name__)

Status = L2Transaction.Status
# Geth and most L2 nodes want a replacement to raise both fee fields by at least 10 %; 12.5 % clears it.
BUMP_NUMERATOR, BUMP_DENOMINATOR = 9, 8
TRANSFER_GAS = 21_000


def is_stuck(tx: L2Transaction) -> bool:
    latest = tx.attempts.order_by("-id").first()
    if latest is None:
        return False
    since = latest.broadcast_at or latest.created_at
    return (timezone.now() - since).total_seconds() >= settings.L2_STUCK_SECONDS


def _refused_again(tx: L2Transaction, *, actor: str) -> bool:
    """A call whose row no longer re-derives from its owner is never signed again (its stored bytes stand)."""
    try:
        authorization.authorize(tx)
    except authorization.RefusedToSign as refusal:
        with transaction.atomic():
            record_event("l2tx:refused", actor=actor, subject=tx_subject(tx),
                         data={"reason": str(refusal)[:500], "attempt": "replacement", "for": tx.subject})
        logger.critical("l2tx:%s: no new attempt: %s", tx.pk, refusal)
        return True
    return False


def _replace(client: ChainClient, tx: L2Transaction, *, cancel: bool, actor: str, reason: str = ""
             ) -> L2TransactionAttempt | None:
    if not cancel and _refused_again(tx, actor=actor):
        return None
    signer = signer_for(tx)
    suggested_max, suggested_tip = suggest_fees(client)
    with transaction.atomic():
        locked = L2Transaction.objects.select_for_update().get(pk=tx.pk)
        previous = locked.attempts.order_by("-id").first()
        if locked.status not in (Status.SIGNED, Status.BROADCAST) or previous is None or locked.nonce is None:
            return None
        cancelling = previous.kind == AttemptKind.CANCEL
        if cancel and cancelling:
            return None  # a cancel is on its way already; stuck, it gets bumped like anything else
        if not cancel and (locked.status != Status.BROADCAST or not is_stuck(locked)):
            return None
        as_cancel = cancel or cancelling
        tip = max(previous.max_priority_fee_per_gas * BUMP_NUMERATOR // BUMP_DENOMINATOR + 1, suggested_tip)
        max_fee = max(previous.max_fee_per_gas * BUMP_NUMERATOR // BUMP_DENOMINATOR + 1, suggested_max, tip)
        if max_fee > settings.L2_MAX_FEE_PER_GAS:
            logger.error("l2tx:%s needs a new attempt but its fee would pass L2_MAX_FEE_PER_GAS", tx.pk)
            return None
        gas = TRANSFER_GAS if as_cancel else previous.gas_limit
        raw, tx_hash = signer.sign(signable(locked, locked.nonce, gas, max_fee, tip, cancel=as_cancel))
        attempt = L2TransactionAttempt.objects.create(
            transaction=locked, tx_hash="0x" + tx_hash.hex(), raw_transaction="0x" + raw.hex(), gas_limit=gas,
            max_fee_per_gas=max_fee, max_priority_fee_per_gas=tip,
            kind=AttemptKind.CANCEL if as_cancel else AttemptKind.REPLACEMENT,
        )
        record_event(
            "l2tx:cancelling" if cancel else "l2tx:bumped", actor=actor, subject=tx_subject(locked),
            data={"replaces": previous.tx_hash, "tx_hash": attempt.tx_hash, "kind": attempt.kind,
                  "max_fee_per_gas": max_fee, **({"reason": reason[:500]} if reason else {})},
        )
    if send_attempt(client, attempt):
        record_broadcast(locked, attempt, actor=actor)
    return attempt


def bump_fees(client: ChainClient, tx: L2Transaction, *, actor: str) -> L2TransactionAttempt | None:
    """Re-sign a stuck broadcast transaction with higher fees (same nonce); None if not needed or capped."""
    return _replace(client, tx, cancel=False, actor=actor)


def cancel(client: ChainClient, tx: L2Transaction, *, reason: str, actor: str) -> L2TransactionAttempt | None:
    """Fill the nonce of a transaction the node refuses for good with a 0-value transfer to self."""
    logger.error("l2tx:%s refused for good (%s): cancelling its nonce %s", tx.pk, reason, tx.nonce)
    return _replace(client, tx, cancel=True, actor=actor, reason=reason)
