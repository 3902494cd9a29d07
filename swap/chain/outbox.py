"""Sending through the outbox: enqueue, sign and store, broadcast, bump.

The life of an `L2Transaction` (status in brackets):

1. `enqueue` [queued]: inside the caller's database transaction, with the caller's own state
   change and audit event, so a job exists exactly when the decision to send it was committed.
2. `sign_queued` [signed]: the call is authorised (`swap.chain.authorization`: allowlisted and
   re-derived from its owner, or refused and failed), gas and fees are read from the node, then
   one database transaction takes the nonce from the locked `ChainAccount` row, signs, and stores
   the bytes and hash.
3. `broadcast_signed` [broadcast]: the *stored* bytes are sent; "already known" and "nonce too
   low" both mean the node has seen them (the receipt step sorts out which). A crash before the
   status is recorded only means the same bytes are sent again, which cannot double anything.
4. `swap.chain.tracking` finds the receipt [mined], waits for depth or the `finalized` tag
   [confirmed / reverted], and detects reorgs by block hash [back to broadcast].

A transaction stuck in the mempool longer than `L2_STUCK_SECONDS` gets a new attempt with the same
nonce and higher fees (`swap.chain.replacements`); whichever attempt is mined wins, the nonce makes
the others void. One the node refuses for good raises `RefusedForGoodError`, and the tracker
replaces it with a cancel attempt that fills its nonce. This module never imports replacements
or tracking: they build on it. Every status change is a compare-and-swap update plus an audit
event, in one transaction.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from swap.audit import record_event
from swap.chain import authorization
from swap.chain.client import ChainClient
from swap.chain.errors import (
    AlreadyKnownError,
    ChainError,
    ExecutionRevertedError,
    NonceTooLowError,
    PermanentChainError,
    TransientChainError,
)
from swap.chain.faults import checkpoint
from swap.chain.models import ChainAccount, L2Transaction, L2TransactionAttempt
from swap.chain.signals import transaction_finalized
from swap.chain.signer import Signer, load_signer

logger = logging.getLogger(__name__)

Status = L2Transaction.Status

# Gas estimates move with state between estimate and inclusion: sign with a margin.
GAS_MARGIN_NUMERATOR, GAS_MARGIN_DENOMINATOR = 5, 4


class StaleTransitionError(RuntimeError):
    """A compare-and-swap matched no row: someone else moved the transaction first."""


class RefusedForGoodError(PermanentChainError):
    """A node refused a transaction's stored bytes for good (not "already known" or "nonce too low").

    Its nonce is handed out, so it must be filled or every later transaction waits: the caller (the
    tracker) answers with a cancel attempt (`swap.chain.replacements.cancel`). Raised rather than
    handled here because replacements build on this module, never the reverse.
    """


def tx_subject(tx: L2Transaction) -> str:
    return f"l2tx:{tx.pk}"


def cas_update(tx_id: int, expected: str | tuple[str, ...], **changes: Any) -> L2Transaction:
    """Move a transaction from an `expected` status by compare-and-swap; return the fresh row.

    Must run inside the caller's database transaction. Raises `StaleTransitionError` when the
    row is no longer in the expected status, so the caller's transaction (and its audit event)
    rolls back instead of recording a transition that did not happen.
    """
    statuses = (expected,) if isinstance(expected, str) else expected
    changed = L2Transaction.objects.filter(pk=tx_id, status__in=statuses).update(updated_at=timezone.now(), **changes)
    if changed != 1:
        raise StaleTransitionError(f"l2tx:{tx_id} is no longer {'/'.join(statuses)}")
    return L2Transaction.objects.get(pk=tx_id)


# -- 1. enqueue --------------------------------------------------------------------------------


def enqueue(
    *, purpose: str, subject: str, to: str, data: str, actor: str, value_wei: int = 0, gas_limit: int | None = None,
) -> L2Transaction:
    """Add a transaction to the outbox. Call inside the transaction that decided to send it.

    Only what the outbox will ever sign is accepted (`authorization.check_allowlist`); the call
    is re-derived from its owner again at signing.
    """
    signer = load_signer()
    if not data.startswith("0x"):
        raise ValueError("call data is 0x-prefixed hex")
    if value_wei < 0:
        raise ValueError("value cannot be negative")
    authorization.check_allowlist(purpose=purpose, to=to, data=data, value_wei=value_wei)
    tx = L2Transaction.objects.create(
        chain_id=settings.L2_CHAIN_ID, sender=signer.address, to_address=to, data=data, value_wei=value_wei,
        gas_limit=gas_limit, purpose=purpose, subject=subject,
    )
    record_event(
        "l2tx:queued", actor=actor, subject=tx_subject(tx),
        data={"purpose": purpose, "for": subject, "to": to, "sender": signer.address, "chain_id": tx.chain_id},
    )
    return tx


# -- 2. sign and store -------------------------------------------------------------------------


def suggest_fees(client: ChainClient) -> tuple[int, int]:
    """Return (max fee, priority fee) per gas: twice the base fee plus the tip, capped."""
    latest = client.get_block("latest") or {}
    base_fee = int(latest.get("baseFeePerGas", "0x0"), 16)
    tip = client.max_priority_fee()
    max_fee = min(2 * base_fee + tip, settings.L2_MAX_FEE_PER_GAS)
    return max_fee, min(tip, max_fee)


def _earlier_open(tx: L2Transaction) -> bool:
    return L2Transaction.objects.filter(
        chain_id=tx.chain_id, sender=tx.sender, status__in=L2Transaction.OPEN_STATUSES, id__lt=tx.pk
    ).exists()


def _estimate_gas(client: ChainClient, tx: L2Transaction) -> int:
    call: dict[str, Any] = {"from": tx.sender, "data": tx.data, "value": hex(tx.value_wei)}
    if tx.to_address:
        call["to"] = tx.to_address
    try:
        estimate = client.estimate_gas(call)
    except ExecutionRevertedError as error:
        # Against a state that earlier transactions (a new root, a deployment) have not reached
        # yet, a revert proves nothing: wait for them.
        if _earlier_open(tx):
            raise TransientChainError(f"{error} (waiting for earlier transactions)") from None
        raise
    return estimate * GAS_MARGIN_NUMERATOR // GAS_MARGIN_DENOMINATOR


def signable(
    tx: L2Transaction, nonce: int, gas_limit: int, max_fee: int, tip: int, *, cancel: bool = False
) -> dict[str, Any]:
    """The EIP-1559 fields to sign: the queued call, or (cancel) a 0-value transfer to the sender.

    Every signature of a call passes here, the first and every fee bump: the call is authorised
    again each time, so a row changed after it was first signed is never signed in its new form.
    """
    if not cancel:
        authorization.authorize(tx)
    fields: dict[str, Any] = {
        "type": 2, "chainId": tx.chain_id, "nonce": nonce, "gas": gas_limit, "maxFeePerGas": max_fee,
        "maxPriorityFeePerGas": tip, "value": 0 if cancel else tx.value_wei, "data": "0x" if cancel else tx.data,
    }
    if cancel:
        fields["to"] = tx.sender
    elif tx.to_address:
        fields["to"] = tx.to_address
    return fields


def signer_for(tx: L2Transaction) -> Signer:
    signer = load_signer()
    if signer.address != tx.sender:
        raise PermanentChainError(f"l2tx:{tx.pk} is from {tx.sender} but the configured signer is {signer.address}")
    return signer


def _take_nonce(tx: L2Transaction, chain_nonce: int) -> int:
    """Hand out the next nonce of the sender from its locked row (seeded from the chain once)."""
    account, _ = ChainAccount.objects.select_for_update().get_or_create(
        chain_id=tx.chain_id, address=tx.sender, defaults={"next_nonce": chain_nonce}
    )
    nonce = account.next_nonce
    ChainAccount.objects.filter(pk=account.pk, next_nonce=nonce).update(next_nonce=nonce + 1, updated_at=timezone.now())
    return nonce


def sign_queued(client: ChainClient, tx: L2Transaction, *, actor: str) -> L2Transaction:
    """Sign a queued transaction with the next database nonce and store the bytes before anything else.

    A row the outbox may not sign (`authorization.RefusedToSign`) is failed, never signed.
    """
    signer = signer_for(tx)
    try:
        authorization.authorize(tx)
    except authorization.RefusedToSign as refusal:
        return refuse(tx, reason=str(refusal), actor=actor)
    try:
        gas_limit = tx.gas_limit or _estimate_gas(client, tx)
    except PermanentChainError as error:
        return fail(tx, reason=str(error), actor=actor, expected=Status.QUEUED)
    max_fee, tip = suggest_fees(client)
    chain_nonce = client.get_nonce(tx.sender, "pending")
    with transaction.atomic():
        locked = L2Transaction.objects.select_for_update().get(pk=tx.pk)
        if locked.status != Status.QUEUED:
            return locked
        nonce = _take_nonce(locked, chain_nonce)
        raw, tx_hash = signer.sign(signable(locked, nonce, gas_limit, max_fee, tip))
        attempt = L2TransactionAttempt.objects.create(
            transaction=locked, tx_hash="0x" + tx_hash.hex(), raw_transaction="0x" + raw.hex(),
            max_fee_per_gas=max_fee, max_priority_fee_per_gas=tip, gas_limit=gas_limit,
        )
        signed = cas_update(tx.pk, Status.QUEUED, status=Status.SIGNED, nonce=nonce, gas_limit=gas_limit)
        record_event(
            "l2tx:signed", actor=actor, subject=tx_subject(signed),
            data={"nonce": nonce, "tx_hash": attempt.tx_hash, "max_fee_per_gas": max_fee, "gas_limit": gas_limit},
        )
    checkpoint("after_sign", signed)
    return signed


# -- 3. broadcast ------------------------------------------------------------------------------


def send_attempt(client: ChainClient, attempt: L2TransactionAttempt) -> bool:
    """Send the stored bytes of `attempt`; return True when the node has them (or had them).

    Transient refusals are noted on the attempt and return False (the tracker tries again);
    permanent ones are noted and raised.
    """
    try:
        client.send_raw_transaction(bytes.fromhex(attempt.raw_transaction[2:]))
    except (AlreadyKnownError, NonceTooLowError):
        # Seen before, or the nonce is spent (by this very transaction, usually): the receipt step
        # decides which, never a resend with another nonce.
        return True
    except TransientChainError as error:
        L2TransactionAttempt.objects.filter(pk=attempt.pk).update(last_error=str(error)[:1000])
        logger.warning("l2tx:%s attempt %s not accepted yet: %s", attempt.transaction_id, attempt.tx_hash, error)
        return False
    except ChainError as error:
        L2TransactionAttempt.objects.filter(pk=attempt.pk).update(last_error=str(error)[:1000])
        logger.error("l2tx:%s attempt %s refused: %s", attempt.transaction_id, attempt.tx_hash, error)
        raise
    return True


def broadcast_signed(client: ChainClient, tx: L2Transaction, *, actor: str) -> L2Transaction:
    """Broadcast the latest stored attempt of a signed transaction and record that it was accepted."""
    attempt = tx.attempts.order_by("-id").first()
    if attempt is None:
        raise PermanentChainError(f"l2tx:{tx.pk} is signed but has no stored attempt")
    try:
        accepted = send_attempt(client, attempt)
    except PermanentChainError as error:
        raise RefusedForGoodError(str(error)) from error
    if not accepted:
        return tx
    checkpoint("after_broadcast", tx)
    return record_broadcast(tx, attempt, actor=actor)


def record_broadcast(tx: L2Transaction, attempt: L2TransactionAttempt, *, actor: str) -> L2Transaction:
    """A node accepted `attempt`: signed → broadcast (a no-op for a transaction already broadcast)."""
    now = timezone.now()
    with transaction.atomic():
        L2TransactionAttempt.objects.filter(pk=attempt.pk, broadcast_at__isnull=True).update(broadcast_at=now)
        if not L2Transaction.objects.filter(pk=tx.pk, status=Status.SIGNED).exists():
            return L2Transaction.objects.get(pk=tx.pk)
        broadcast = cas_update(tx.pk, Status.SIGNED, status=Status.BROADCAST, broadcast_at=now)
        record_event("l2tx:broadcast", actor=actor, subject=tx_subject(tx), data={"tx_hash": attempt.tx_hash})
    return broadcast


def rebroadcast(client: ChainClient, tx: L2Transaction, *, actor: str) -> None:
    """Send the newest stored attempt again (a dropped or reorged-out transaction): same bytes, same nonce.

    If the node now refuses it for good (some nodes simulate and refuse what would revert), this raises
    `RefusedForGoodError` and the tracker fills the nonce with a cancel attempt so the transactions
    behind it can go on.
    """
    attempt = tx.attempts.order_by("-id").first()
    if attempt is None:
        return
    try:
        accepted = send_attempt(client, attempt)
    except PermanentChainError as error:
        raise RefusedForGoodError(str(error)) from error
    if accepted:
        with transaction.atomic():
            record_event("l2tx:rebroadcast", actor=actor, subject=tx_subject(tx), data={"tx_hash": attempt.tx_hash})


# -- giving up ---------------------------------------------------------------------------------


def refuse(tx: L2Transaction, *, reason: str, actor: str) -> L2Transaction:
    """A queued row the outbox may not sign: on record (`l2tx:refused`) and failed, never signed."""
    with transaction.atomic():
        record_event("l2tx:refused", actor=actor, subject=tx_subject(tx),
                     data={"reason": reason[:500], "purpose": tx.purpose, "for": tx.subject, "to": tx.to_address})
        failed = fail(tx, reason=f"refused to sign: {reason}", actor=actor, expected=Status.QUEUED)
    logger.critical("l2tx:%s refused to sign: %s", tx.pk, reason)
    return failed


def fail(tx: L2Transaction, *, reason: str, actor: str, expected: str | tuple[str, ...]) -> L2Transaction:
    """Give up on a transaction that was never mined, and let its owner (a round, a batch) react."""
    with transaction.atomic():
        failed = cas_update(tx.pk, expected, status=Status.FAILED, error=reason[:2000], finalized_at=timezone.now())
        record_event("l2tx:failed", actor=actor, subject=tx_subject(tx), data={"reason": reason[:500]})
        transaction_finalized.send(sender=L2Transaction, transaction=failed, actor=actor)
    logger.error("l2tx:%s failed: %s", tx.pk, reason)
    return failed
