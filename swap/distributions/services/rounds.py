"""Rounds: draft → frozen, each move a compare-and-swap plus an audit event; then `publishing.py`.

- `create_round` opens a draft with a cut-off, numbered after the last round that kept its number.
- `freeze_round` asks the sources for cumulative entitlements, checks them (no account lower than in
  the previous round, pools respected, no review flag on a credited amount), builds the Merkle
  tree, and writes every entry, the dump and the root in ONE database transaction. Running it
  twice freezes once.
- `check_coverage` is what proposing (and the watchdog) require: the distributor's SESH covers
  everything the round still owes.
- `swap.distributions.services.publishing` then proposes, activates (or sees a veto).
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from swap.audit import record_event
from swap.chain import contracts
from swap.chain.client import get_client
from swap.chain.faults import checkpoint
from swap.core.merkle import StandardMerkleTree
from swap.distributions.exceptions import (
    DistributorNotConfiguredError,
    InsufficientDistributorBalanceError,
    NonMonotonicRoundError,
    RoundStateError,
)
from swap.distributions.models import DistributionEntry, DistributionRound, RoundDump, RoundStatus
from swap.distributions.services import claim_index
from swap.distributions.sources import Entitlement, collect_entitlements

logger = logging.getLogger(__name__)

ENTRY_BATCH = 2000


def round_subject(round_: DistributionRound) -> str:
    return f"round:{round_.number}"


def cas_round(round_id: int, expected: str, **changes: object) -> DistributionRound:
    """Move a round from `expected` by compare-and-swap (inside the caller's transaction)."""
    if DistributionRound.objects.filter(pk=round_id, status=expected).update(**changes) != 1:
        raise RoundStateError(f"round id {round_id} is no longer {expected}")
    return DistributionRound.objects.get(pk=round_id)


def create_round(*, cutoff: datetime, actor: str) -> DistributionRound:
    """Open the next round as a draft. Only one draft may exist; cut-offs only move forward."""
    if timezone.is_naive(cutoff):
        raise ValueError("the cut-off must be timezone-aware")
    with transaction.atomic():
        last = DistributionRound.objects.numbered().select_for_update().order_by("-number").first()
        if last is not None and last.status == RoundStatus.DRAFT:
            raise RoundStateError(f"round {last.number} is still a draft: freeze it first")
        if last is not None and cutoff < last.cutoff_at:
            raise RoundStateError(f"cut-off {cutoff:%Y-%m-%d %H:%M:%S} is before round {last.number}'s")
        round_ = DistributionRound.objects.create(number=(last.number + 1) if last else 1, cutoff_at=cutoff)
        record_event("round:created", actor=actor, subject=round_subject(round_), data={"cutoff": cutoff.isoformat()})
    return round_


def _previous_amounts(round_: DistributionRound) -> tuple[int | None, dict[str, int]]:
    previous = (
        DistributionRound.objects.numbered().filter(number__lt=round_.number).exclude(status=RoundStatus.DRAFT)
        .order_by("-number").first()
    )
    if previous is None:
        return None, {}
    return previous.number, dict(previous.entries.values_list("eth_address", "cumulative_atomic"))


def check_monotonic(previous_number: int | None, previous: dict[str, int], current: list[Entitlement]) -> None:
    """Refuse any account whose cumulative amount would fall (or vanish) since the previous round."""
    now = {e.eth_address: e.cumulative_atomic for e in current}
    lower = [(a, amount, now.get(a, 0)) for a, amount in previous.items() if now.get(a, 0) < amount]
    if lower:
        shown = "; ".join(f"{a}: {before} → {after}" for a, before, after in sorted(lower)[:5])
        raise NonMonotonicRoundError(
            f"{len(lower)} account(s) would get less than in round {previous_number} ({shown}); "
            "cumulative amounts never decrease"
        )


def freeze_round(round_id: int, *, actor: str) -> DistributionRound:
    """Freeze a draft: entries, tree, dump and root in one transaction. A frozen round is returned as is."""
    with transaction.atomic():
        round_ = DistributionRound.objects.select_for_update().get(pk=round_id)
        if round_.status != RoundStatus.DRAFT:
            return round_
        entitlements = collect_entitlements(round_.cutoff_at)
        if not entitlements:
            raise RoundStateError(f"round {round_.number}: no account is entitled to anything yet")
        check_monotonic(*_previous_amounts(round_), entitlements)
        tree = StandardMerkleTree.of((e.eth_address, e.cumulative_atomic) for e in entitlements)
        dump_text = tree.dumps()
        sha256 = hashlib.sha256(dump_text.encode("ascii")).hexdigest()
        proofs = tree.proofs()
        DistributionEntry.objects.bulk_create(
            (
                DistributionEntry(
                    round=round_, eth_address=e.eth_address, bonus_atomic=e.bonus_atomic,
                    claims_atomic=e.claims_atomic, cumulative_atomic=e.cumulative_atomic,
                    proof=b"".join(bytes.fromhex(node[2:]) for node in proof),
                )
                for e, proof in zip(entitlements, proofs, strict=True)
            ),
            batch_size=ENTRY_BATCH,
        )
        checkpoint("freeze_entries_written", round_)
        RoundDump.objects.create(round=round_, text=dump_text, sha256=sha256)
        bonus_total = sum(e.bonus_atomic for e in entitlements)
        claims_total = sum(e.claims_atomic for e in entitlements)
        changed = DistributionRound.objects.filter(pk=round_id)._freeze(
            status=RoundStatus.FROZEN, root=tree.root_hex, count=len(tree), total_atomic=tree.total,
            bonus_total_atomic=bonus_total, claims_total_atomic=claims_total, dump_sha256=sha256,
            frozen_at=timezone.now(),
        )
        if changed != 1:
            raise RoundStateError(f"round {round_.number} was frozen by someone else meanwhile")
        frozen = DistributionRound.objects.get(pk=round_id)
        record_event(
            "round:frozen", actor=actor, subject=round_subject(frozen),
            data={"root": frozen.root, "count": frozen.count, "total_atomic": str(frozen.total_atomic),
                  "bonus_total_atomic": str(bonus_total), "claims_total_atomic": str(claims_total),
                  "dump_sha256": sha256, "cutoff": frozen.cutoff_at.isoformat()},
        )
    logger.info("round %s frozen: %s accounts, root %s", frozen.number, frozen.count, frozen.root)
    return frozen


def distributor_address() -> str:
    if not settings.L2_DISTRIBUTOR_ADDRESS or not settings.L2_TOKEN_ADDRESS:
        raise DistributorNotConfiguredError("set L2_DISTRIBUTOR_ADDRESS and L2_TOKEN_ADDRESS before publishing")
    return str(settings.L2_DISTRIBUTOR_ADDRESS)


def check_coverage(round_: DistributionRound) -> dict[str, int]:
    """Refuse unless the distributor's SESH covers everything the round still owes.

    Owed = Σ over the round's accounts of (cumulative − already claimed). Claims are read from the
    claim index at its final block B, and the balance at the same block B, so the two agree: a
    claim after B lowers both alike.
    """
    distributor = distributor_address()
    client = get_client()
    indexed_to = claim_index.sync_claims(client=client)
    claimed = claim_index.claimed_by_account()
    owed = 0
    for address, cumulative in round_.entries.values_list("eth_address", "cumulative_atomic").iterator():
        owed += max(0, cumulative - claimed.get(address, 0))
    balance = contracts.token_balance(client, settings.L2_TOKEN_ADDRESS, distributor, block=indexed_to)
    figures = {"owed_atomic": owed, "balance_atomic": balance, "at_block": indexed_to}
    if balance < owed:
        with transaction.atomic():  # the refusal is on record for auditors, not only in a worker's log
            record_event("round:publish_refused", actor="system", subject=round_subject(round_),
                         data={k: str(v) for k, v in figures.items()})
        raise InsufficientDistributorBalanceError(
            f"round {round_.number}: the distributor holds {balance} atomic SESH at block {indexed_to} "
            f"but owes {owed}; fund it with at least {owed - balance} more"
        )
    return figures


def current_round() -> DistributionRound | None:
    """The round whose root is claimable on chain now: the newest active one."""
    return DistributionRound.objects.filter(status=RoundStatus.ACTIVE).order_by("-number").first()
