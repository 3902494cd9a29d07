"""Payout jobs: the service sends `claimMany` for accounts that asked for delivery.

A `PayoutItem` marks an account as batched for a round; a partial unique constraint allows one
active item per (round, account), so running the job twice, or two workers at once, batches each
account once. The batch, its items, its outbox transaction and the `payout:batched` event commit
together. If the transaction reverts or fails, the items are released (inactive) and the next run
batches them again. Paying twice is impossible on chain as well: `claimMany` pays only
`cumulative − claimed[account]` and skips accounts already paid.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from swap.audit import record_event
from swap.chain import contracts, outbox
from swap.chain.client import get_client
from swap.chain.models import L2Transaction
from swap.chain.program_end import withdrawal_under_way
from swap.core.eth_address import EthAddressError, normalize_eth_address
from swap.core.merkle import StandardMerkleTree
from swap.distributions.exceptions import DistributionError, RoundStateError
from swap.distributions.models import (
    DistributionEntry,
    DistributionRound,
    PayoutBatch,
    PayoutItem,
    PayoutRequest,
    RoundStatus,
)
from swap.distributions.services.claim_index import claimed_by_account
from swap.distributions.services.pause import pausing_or_paused
from swap.distributions.services.rounds import current_round
from swap.distributions.services.trees import frozen_tree
from swap.ratelimit import Limiter, client_bucket, parse_rate
from swap.registrations.services import registrations_for_eth

logger = logging.getLogger(__name__)


class UnknownPayoutAddressError(DistributionError):
    """Delivery may only be asked for an address that is registered or already in a round."""


class PayoutRateLimitedError(DistributionError):
    """Too many enrolments (or refusals) from this client, or too many requests for one account."""

    def __init__(self, scope: str, retry_after: int) -> None:
        self.scope, self.retry_after = scope, retry_after
        what = ("delivery requests from your network address" if scope == "payout-ip"
                else "delivery requests for this address from your network address")
        minutes = max(1, -(-retry_after // 60))
        super().__init__(f"Too many {what}. Please wait {minutes} minute{'s' if minutes != 1 else ''}.")


def is_participant(address: str) -> bool:
    """Registered (current registration) or entitled in some frozen round."""
    return bool(registrations_for_eth(address)) or DistributionEntry.objects.filter(eth_address=address).exists()


def _client_limiter() -> Limiter:
    return Limiter("payout-ip", parse_rate(settings.PAYOUT_REQUEST_RATE_LIMIT_IP))


def _account_limiter() -> Limiter:
    return Limiter("payout-account", parse_rate(settings.PAYOUT_REQUEST_RATE_LIMIT_ACCOUNT))


def _refuse_limited(limiter: Limiter, subject: str, *, text: str, requested_by: str, ip: str) -> None:
    """Raise `PayoutRateLimitedError` (audited) if the subject is over the limiter's rate."""
    retry_after = limiter.retry_after(subject)
    if retry_after is None:
        return
    with transaction.atomic():
        record_event("payout:refused", actor=requested_by, subject=f"eth:{text[:60]}", ip=ip,
                     data={"reason": "rate_limited", "scope": limiter.scope})
    raise PayoutRateLimitedError(limiter.scope, retry_after)


def request_payout(eth_address: str, *, requested_by: str, ip: str | None = None) -> tuple[PayoutRequest, bool]:
    """Record that an account wants its SESH pushed to it; idempotent. Returns (request, created).

    Only participants may be asked for, which bounds the table (and the gas the service spends) by
    the people actually in the programs; anyone may ask for them, since a payout can only ever pay
    the account itself, and it costs the holder nothing.

    A request from a client (`ip` given: the web and the API) is rate limited twice, both counters
    keyed by the client's bucket so that only the client itself can fill them (issue 17, item 9):
    `PAYOUT_REQUEST_RATE_LIMIT_IP` counts the client's new enrolments and refusals, and
    `PAYOUT_REQUEST_RATE_LIMIT_ACCOUNT` every request of the client for one account. A counter per
    account alone would let strangers keep its holder from enrolling; with these a holder's own
    request is refused only when their own network used up its allowance.
    """
    if ip is None:  # the service's own callers (the demo, admin tooling): no client to limit
        address = normalize_eth_address(eth_address)
        _check_participant(address)
        return _record_request(address, requested_by=requested_by, ip=ip)
    bucket = client_bucket(ip)
    clients, accounts = _client_limiter(), _account_limiter()
    _refuse_limited(clients, bucket, text=eth_address, requested_by=requested_by, ip=ip)
    try:
        address = normalize_eth_address(eth_address)
    except EthAddressError:
        clients.count_failure(bucket)
        raise
    per_account = f"{bucket} {address}"
    _refuse_limited(accounts, per_account, text=address, requested_by=requested_by, ip=ip)
    accounts.count_failure(per_account)  # every request for the account counts, not only failures
    try:
        _check_participant(address)
    except UnknownPayoutAddressError:
        clients.count_failure(bucket)
        raise
    request, created = _record_request(address, requested_by=requested_by, ip=ip)
    if created:
        clients.count_failure(bucket)  # the client limit counts new enrolments (each costs gas), not only failures
    return request, created


def _check_participant(address: str) -> None:
    if not is_participant(address):
        raise UnknownPayoutAddressError(f"{address} is neither registered nor in any distribution round")


def _record_request(address: str, *, requested_by: str, ip: str | None) -> tuple[PayoutRequest, bool]:
    with transaction.atomic():
        request, created = PayoutRequest.objects.get_or_create(eth_address=address,
                                                               defaults={"requested_by": requested_by})
        if created:
            record_event("payout:requested", actor=requested_by, subject=f"eth:{address}", ip=ip)
    return request, created


def due_accounts(round_: DistributionRound) -> list[str]:
    """Requested accounts of the round with no active item and something left to claim."""
    requested = set(PayoutRequest.objects.values_list("eth_address", flat=True))
    batched = set(PayoutItem.objects.filter(round=round_, active=True).values_list("eth_address", flat=True))
    claimed = claimed_by_account()
    entries = round_.entries.order_by("eth_address").values_list("eth_address", "cumulative_atomic")
    return [
        address
        for address, cumulative in entries
        if address in requested and address not in batched and cumulative > claimed.get(address, 0)
    ]


def batch_call(round_: DistributionRound, tree: StandardMerkleTree, accounts: list[str]) -> tuple[list[str], list[int],
                                                                                                 str]:
    """(accounts in leaf order, their amounts, `claimMany` call data) of a batch of `accounts`."""
    proof = tree.multiproof(accounts)
    addresses = [address for address, _ in proof.values]
    amounts = [amount for _, amount in proof.values]
    return addresses, amounts, contracts.claim_many_data(round_.root, addresses, amounts, proof.proof,
                                                         proof.proof_flags)


def _batch(round_: DistributionRound, tree: StandardMerkleTree, accounts: list[str], *, actor: str) -> PayoutBatch:
    addresses, amounts, data = batch_call(round_, tree, accounts)
    with transaction.atomic():
        batch = PayoutBatch.objects.create(round=round_)
        PayoutItem.objects.bulk_create(
            PayoutItem(batch=batch, round=round_, eth_address=a, cumulative_atomic=amount)
            for a, amount in zip(addresses, amounts, strict=True)
        )
        tx = outbox.enqueue(
            purpose=L2Transaction.Purpose.PAYOUT_BATCH, subject=f"payout-batch:{batch.pk}",
            to=round_.distributor_address, data=data, actor=actor,
        )
        PayoutBatch.objects.filter(pk=batch.pk, transaction__isnull=True).update(transaction=tx)
        record_event(
            "payout:batched", actor=actor, subject=f"payout-batch:{batch.pk}",
            data={"round": round_.number, "l2tx": tx.pk, "accounts": addresses,
                  "cumulative_atomic": [str(a) for a in amounts]},
        )
    return batch


def _activation_imminent(round_: DistributionRound) -> bool:
    """A newer root is being proposed, or its delay is over: the active root is about to change.

    While a newer root only waits out its delay, the active one keeps paying: holders who asked for
    delivery should not wait a day because the next round is on its way.
    """
    newer = DistributionRound.objects.filter(number__gt=round_.number)
    return newer.filter(status=RoundStatus.PROPOSED).exists() or newer.filter(
        status=RoundStatus.PENDING, activates_at__lte=timezone.now()
    ).exists()


def run_payouts(round_id: int | None = None, *, actor: str) -> list[PayoutBatch]:
    """Batch every due account of the current round into `claimMany` transactions."""
    round_ = current_round()
    if round_ is None or (round_id is not None and round_.pk != round_id):
        return []  # nothing active yet, or that round was superseded: its root is no longer live
    if _activation_imminent(round_):
        return []  # batches for this root would revert once the next one activates; its activation runs payouts
    accounts = due_accounts(round_)
    if not accounts:
        return []
    if pausing_or_paused(round_.distributor_address):
        logger.warning("round %s: %s account(s) due, but the distributor is paused or being paused: no batch",
                       round_.number, len(accounts))
        return []
    if withdrawal_under_way() or contracts.is_closed(get_client(), round_.distributor_address):
        logger.warning("round %s: %s account(s) due, but the remainder is being or was withdrawn: the program "
                       "is closed, no batch", round_.number, len(accounts))
        return []
    tree = frozen_tree(round_)
    size = max(1, settings.L2_PAYOUT_BATCH_SIZE)
    batches = []
    for start in range(0, len(accounts), size):
        try:
            batches.append(_batch(round_, tree, accounts[start : start + size], actor=actor))
        except IntegrityError:
            logger.info("round %s: accounts %s… were batched by another run", round_.number, accounts[start])
    return batches


def on_batch_finalized(tx: L2Transaction, *, actor: str) -> None:
    """The batch's transaction is final: done, or release its accounts for the next run."""
    batch = PayoutBatch.objects.filter(transaction=tx, status=PayoutBatch.Status.PENDING).first()
    if batch is None:
        return
    succeeded = tx.status == L2Transaction.Status.CONFIRMED
    new_status = PayoutBatch.Status.CONFIRMED if succeeded else PayoutBatch.Status.FAILED
    if PayoutBatch.objects.filter(pk=batch.pk, status=PayoutBatch.Status.PENDING).update(
        status=new_status, finished_at=timezone.now()
    ) != 1:
        raise RoundStateError(f"payout batch {batch.pk} is no longer pending")
    if not succeeded:
        batch.items.filter(active=True).update(active=False)
    record_event(
        f"payout:{new_status}", actor=actor, subject=f"payout-batch:{batch.pk}",
        data={"round": batch.round.number, "l2tx": tx.pk, "tx_status": tx.status, "tx_hash": tx.tx_hash},
    )
