"""Following transactions to finality: receipts, confirmations, reorgs, dropped and stuck transactions.

`track_transactions` is what the periodic task and a restarted worker run. It looks at every open
transaction in nonce order and moves it as far as the chain allows, so the same pass is also the
recovery after any crash: a signed transaction is (re)broadcast from its stored bytes, a broadcast
one is looked up by every attempt's hash, a mined one is checked against the canonical block hash
at its height before it may count as confirmed.

Final means `L2_CONFIRMATIONS` blocks deep (its own block counts as 1), or at or below the node's
`finalized` block when `L2_USE_FINALIZED_TAG` is on. A reorg seen before that moves the
transaction back to broadcast (audit `l2tx:reorged`); its stored bytes are sent again if the node
lost them, and the nonce keeps any other transaction from taking its place.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from swap.audit import record_event
from swap.chain import outbox, replacements
from swap.chain.client import ChainClient, get_client
from swap.chain.errors import PermanentChainError, TransientChainError
from swap.chain.faults import checkpoint
from swap.chain.models import AttemptKind, ChainAccount, L2Transaction, L2TransactionAttempt
from swap.chain.signals import transaction_finalized
from swap.core.eth_address import normalize_eth_address

logger = logging.getLogger(__name__)

Status = L2Transaction.Status
DEFAULT_ACTOR = "task:track_transactions"
# One pass may carry a transaction from queued to confirmed; this bounds the steps per transaction.
MAX_STEPS_PER_PASS = 6


@dataclass
class TrackReport:
    """What one pass did, for logs and tests: transaction ids per outcome."""

    advanced: list[int] = field(default_factory=list)
    waiting: list[int] = field(default_factory=list)
    errors: dict[int, str] = field(default_factory=dict)


def _find_receipt(client: ChainClient, tx: L2Transaction) -> tuple[L2TransactionAttempt, dict[str, Any]] | None:
    """The receipt of whichever attempt was mined (newest first), if any."""
    for attempt in tx.attempts.order_by("-id"):
        receipt = client.get_receipt(attempt.tx_hash)
        if receipt and receipt.get("blockHash") and receipt.get("blockNumber"):
            return attempt, receipt
    return None


def _address_or_blank(address: str | None) -> str:
    return normalize_eth_address(address) if address else ""


def record_mined(
    tx: L2Transaction, attempt: L2TransactionAttempt, receipt: dict[str, Any], *, actor: str
) -> L2Transaction:
    checkpoint("after_receipt", tx)
    with transaction.atomic():
        mined = outbox.cas_update(
            tx.pk, (Status.SIGNED, Status.BROADCAST), status=Status.MINED, tx_hash=attempt.tx_hash,
            block_number=int(receipt["blockNumber"], 16), block_hash=receipt["blockHash"],
            gas_used=int(receipt.get("gasUsed", "0x0"), 16),
            contract_address=_address_or_blank(receipt.get("contractAddress")),
            mined_at=timezone.now(), broadcast_at=tx.broadcast_at or timezone.now(),
        )
        record_event(
            "l2tx:mined", actor=actor, subject=outbox.tx_subject(tx),
            data={"tx_hash": attempt.tx_hash, "block_number": mined.block_number, "block_hash": mined.block_hash,
                  "status": receipt.get("status")},
        )
    return mined


def _nonce_spent_by_another(client: ChainClient, tx: L2Transaction) -> int | None:
    """The sender's final nonce if ours was used, at a final depth, by none of our attempts; else None."""
    if settings.L2_USE_FINALIZED_TAG:
        depth_block: int | str = "finalized"
    else:
        depth_block = max(0, client.block_number() - settings.L2_CONFIRMATIONS + 1)
    final_nonce = client.get_nonce(tx.sender, depth_block)
    if final_nonce <= (tx.nonce or 0) or _find_receipt(client, tx) is not None:
        return None
    return final_nonce


def _fail_spent_nonce(tx: L2Transaction, final_nonce: int, *, actor: str) -> L2Transaction:
    """Give the transaction up (its owner re-queues the job) and move the database nonce past the
    foreign ones, so the next transactions do not hit the same wall. `Greatest` never lowers it,
    so a nonce already handed out is never handed out again."""
    with transaction.atomic():
        ChainAccount.objects.filter(chain_id=tx.chain_id, address=tx.sender).update(
            next_nonce=Greatest(F("next_nonce"), final_nonce), updated_at=timezone.now()
        )
        return outbox.fail(tx, reason=f"nonce {tx.nonce} was used by another transaction (the key is used "
                           f"elsewhere?); chain nonce is {final_nonce}", actor=actor, expected=Status.BROADCAST)


def _advance_broadcast(client: ChainClient, tx: L2Transaction, *, actor: str) -> L2Transaction:
    found = _find_receipt(client, tx)
    if found is not None:
        return record_mined(tx, *found, actor=actor)
    spent = _nonce_spent_by_another(client, tx)
    if spent is not None:
        return _fail_spent_nonce(tx, spent, actor=actor)
    if not any(client.get_transaction(a.tx_hash) for a in tx.attempts.order_by("-id")):
        logger.warning("l2tx:%s is unknown to the node (dropped): sending its stored bytes again", tx.pk)
        try:
            outbox.rebroadcast(client, tx, actor=actor)
        except outbox.RefusedForGoodError as error:
            replacements.cancel(client, tx, reason=str(error), actor=actor)
    elif replacements.is_stuck(tx):
        replacements.bump_fees(client, tx, actor=actor)
    return tx


def _is_final(client: ChainClient, tx: L2Transaction) -> bool:
    assert tx.block_number is not None
    if settings.L2_USE_FINALIZED_TAG:
        finalized = client.get_block("finalized")
        return finalized is not None and int(finalized["number"], 16) >= tx.block_number
    return client.block_number() - tx.block_number + 1 >= settings.L2_CONFIRMATIONS


def _still_canonical(client: ChainClient, tx: L2Transaction) -> bool:
    assert tx.block_number is not None
    block = client.get_block(tx.block_number)
    if block is None or block.get("hash") != tx.block_hash:
        return False
    receipt = client.get_receipt(tx.tx_hash)
    return bool(receipt) and receipt.get("blockHash") == tx.block_hash  # type: ignore[union-attr]


def record_reorg(tx: L2Transaction, *, actor: str) -> L2Transaction:
    with transaction.atomic():
        back = outbox.cas_update(
            tx.pk, Status.MINED, status=Status.BROADCAST, tx_hash="", block_number=None, block_hash="",
            gas_used=None, contract_address="", mined_at=None,
        )
        record_event(
            "l2tx:reorged", actor=actor, subject=outbox.tx_subject(tx),
            data={"tx_hash": tx.tx_hash, "block_number": tx.block_number, "block_hash": tx.block_hash},
        )
    logger.warning("l2tx:%s: block %s (%s) left the chain", tx.pk, tx.block_number, tx.block_hash)
    return back


def _advance_mined(client: ChainClient, tx: L2Transaction, *, actor: str) -> L2Transaction:
    if not _still_canonical(client, tx):
        return record_reorg(tx, actor=actor)
    if not _is_final(client, tx):
        return tx
    # Read the status again from the receipt we just verified is canonical.
    receipt = client.get_receipt(tx.tx_hash) or {}
    succeeded = receipt.get("status") == "0x1"
    cancelled = tx.attempts.filter(tx_hash=tx.tx_hash, kind=AttemptKind.CANCEL).exists()
    checkpoint("before_confirm", tx)
    if cancelled:
        final_status, error = Status.FAILED, f"cancelled: its nonce went to a 0-value transfer ({tx.tx_hash})"
    else:
        final_status, error = (Status.CONFIRMED if succeeded else Status.REVERTED), ""
    with transaction.atomic():
        final = outbox.cas_update(tx.pk, Status.MINED, status=final_status, finalized_at=timezone.now(),
                                  error=error or tx.error)
        record_event(
            f"l2tx:{final_status}", actor=actor, subject=outbox.tx_subject(tx),
            data={"tx_hash": tx.tx_hash, "block_number": tx.block_number, "block_hash": tx.block_hash,
                  "purpose": tx.purpose, "for": tx.subject},
        )
        transaction_finalized.send(sender=L2Transaction, transaction=final, actor=actor)
    return final


def advance(client: ChainClient, tx: L2Transaction, *, actor: str = DEFAULT_ACTOR) -> L2Transaction:
    """Take one step for one transaction; return it as it is now."""
    if tx.status == Status.QUEUED:
        return outbox.sign_queued(client, tx, actor=actor)
    if tx.status == Status.SIGNED:
        found = _find_receipt(client, tx)  # mined already (a crash after broadcast)?
        if found is not None:
            return record_mined(tx, *found, actor=actor)
        try:
            return outbox.broadcast_signed(client, tx, actor=actor)
        except outbox.RefusedForGoodError as error:
            # Its nonce is spent on our side: fill it with a cancel so the queue behind it goes on.
            replacements.cancel(client, tx, reason=str(error), actor=actor)
            return L2Transaction.objects.get(pk=tx.pk)
    if tx.status == Status.BROADCAST:
        return _advance_broadcast(client, tx, actor=actor)
    if tx.status == Status.MINED:
        return _advance_mined(client, tx, actor=actor)
    return tx


def track_transaction(client: ChainClient, tx: L2Transaction, *, actor: str = DEFAULT_ACTOR) -> L2Transaction:
    """Advance one transaction as far as it goes now."""
    for _ in range(MAX_STEPS_PER_PASS):
        before = (tx.status, tx.block_hash)
        try:
            tx = advance(client, tx, actor=actor)
        except outbox.StaleTransitionError:
            tx = L2Transaction.objects.get(pk=tx.pk)  # another worker moved it; look again
        if (tx.status, tx.block_hash) == before or tx.status in L2Transaction.FINAL_STATUSES:
            break
    return tx


def open_transactions() -> list[L2Transaction]:
    """Open transactions of this chain: signed ones by nonce first, then the queue in order."""
    return list(
        L2Transaction.objects.filter(chain_id=settings.L2_CHAIN_ID, status__in=L2Transaction.OPEN_STATUSES)
        .order_by(F("nonce").asc(nulls_last=True), "id")
    )


def track_transactions(*, client: ChainClient | None = None, actor: str = DEFAULT_ACTOR) -> TrackReport:
    """One pass over every open transaction. Safe to run concurrently and after any crash."""
    client = client or get_client()
    client.assert_chain_id()
    report = TrackReport()
    for tx in open_transactions():
        before = tx.status
        try:
            tx = track_transaction(client, tx, actor=actor)
        except TransientChainError as error:
            report.errors[tx.pk] = str(error)
            logger.warning("l2tx:%s: %s (will retry)", tx.pk, error)
            if tx.status == Status.QUEUED:
                break  # keep nonces in queue order: do not sign later ones first
            continue
        except PermanentChainError as error:
            report.errors[tx.pk] = str(error)
            logger.error("l2tx:%s: %s (needs an operator)", tx.pk, error)
            if tx.status == Status.QUEUED:
                break
            continue
        except Exception as error:  # a bug in an owner's receiver must not stop the other transactions
            report.errors[tx.pk] = f"{type(error).__name__}: {error}"
            logger.exception("l2tx:%s: unexpected error; its step was rolled back and is retried", tx.pk)
            if tx.status == Status.QUEUED:
                break
            continue
        (report.advanced if tx.status != before else report.waiting).append(tx.pk)
    return report
