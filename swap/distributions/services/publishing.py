"""Putting a frozen round on chain: propose, wait out the public delay, activate.

- `propose_round` checks that the distributor's SESH covers everything the round still owes and
  that the round is the distributor's next round id, then in one transaction marks the round
  proposed and puts `proposeRoot` into the outbox.
- `on_propose_finalized` (the outbox's signal): the proposal is final, so the round is pending
  until the `activatesAt` its `RootProposed` event names; a reverted or failed proposal sends the
  round back to frozen.
- `advance_rounds` (beat, every tracker interval; `manage.py activate_rounds`) looks at the chain
  for the round in flight: once its delay is over it queues `activateRoot()` (anyone may send it;
  the service does so on time); if someone else activated it first, the round is active; if the
  guardian vetoed it, the round is vetoed; if another proposal displaced it, it is proposed again.
- `on_activate_finalized`: the activation is final, so the round is active and payouts may run.

Only the active round's root is claimable: proofs, the claim page and payouts use nothing else.
Every move is a compare-and-swap of the round's status with its audit event, in one transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from swap.audit import record_event
from swap.chain import contracts, outbox
from swap.chain.client import ChainClient, get_client
from swap.chain.models import L2Transaction
from swap.distributions.exceptions import ChainRoundMismatchError, RoundStateError
from swap.distributions.models import IN_FLIGHT_STATUSES, DistributionRound, RoundStatus
from swap.distributions.services.rounds import cas_round, check_coverage, distributor_address, round_subject

logger = logging.getLogger(__name__)


def _chain_time(client: ChainClient) -> int:
    block = client.get_block("latest") or {}
    return int(block.get("timestamp", "0x0"), 16)


def _utc(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)


def check_next_round_id(round_: DistributionRound, state: contracts.DistributorState) -> None:
    """Refuse a round that is not the distributor's next round id (it would revert on chain)."""
    expected = state.round_id + 1
    if round_.number != expected:
        raise ChainRoundMismatchError(
            f"round {round_.number} cannot be proposed: the distributor's active round is {state.round_id}, "
            f"so the next proposal must be round {expected}"
        )


def propose_round(round_id: int, *, actor: str) -> DistributionRound:
    """Propose a frozen round's root through the outbox. A round past frozen is returned as is."""
    round_ = DistributionRound.objects.get(pk=round_id)
    if round_.status == RoundStatus.DRAFT:
        raise RoundStateError(f"round {round_.number} is a draft: freeze it before publishing")
    if round_.status != RoundStatus.FROZEN:
        return round_  # proposed already (a task delivered twice): nothing to do twice
    newer = DistributionRound.objects.numbered().filter(number__gt=round_.number).exclude(status=RoundStatus.DRAFT)
    if newer.exists():
        raise RoundStateError(f"round {round_.number} is superseded by round {newer.order_by('number')[0].number}")
    in_flight = DistributionRound.objects.filter(status__in=IN_FLIGHT_STATUSES).exclude(pk=round_id).first()
    if in_flight is not None:
        raise RoundStateError(f"round {in_flight.number} is still {in_flight.status}: wait for its activation")
    distributor = distributor_address()
    state = contracts.distributor_state(get_client(), distributor)
    check_next_round_id(round_, state)
    figures = check_coverage(round_)
    with transaction.atomic():
        locked = DistributionRound.objects.select_for_update().get(pk=round_id)
        if locked.status != RoundStatus.FROZEN:
            return locked
        tx = outbox.enqueue(
            purpose=L2Transaction.Purpose.PROPOSE_ROOT, subject=round_subject(locked), to=distributor, actor=actor,
            data=contracts.propose_root_data(locked.root, locked.number, locked.total_atomic, locked.count),
        )
        proposed = cas_round(round_id, RoundStatus.FROZEN, status=RoundStatus.PROPOSED, propose_tx=tx,
                        distributor_address=distributor, proposed_at=timezone.now(), activates_at=None,
                        activate_tx=None)
        record_event(
            "round:proposed", actor=actor, subject=round_subject(proposed),
            data={"root": proposed.root, "l2tx": tx.pk, "distributor": distributor,
                  **{k: str(v) for k, v in figures.items()}},
        )
    return proposed


def on_propose_finalized(tx: L2Transaction, *, actor: str) -> None:
    """The proposal is final: the round waits for its activation time, or goes back to frozen."""
    round_ = DistributionRound.objects.filter(propose_tx=tx, status=RoundStatus.PROPOSED).first()
    if round_ is None:
        return
    if tx.status == L2Transaction.Status.CONFIRMED:
        receipt = get_client().get_receipt(tx.tx_hash) or {}
        proposals = [p for p in contracts.proposals_in_receipt(receipt, round_.distributor_address)
                     if p.root == round_.root.lower()]
        if not proposals:
            raise RoundStateError(f"round {round_.number}: the confirmed proposal {tx.tx_hash} has no RootProposed")
        activates_at = _utc(proposals[-1].activates_at)
        pending = cas_round(round_.pk, RoundStatus.PROPOSED, status=RoundStatus.PENDING, activates_at=activates_at)
        record_event(
            "round:pending", actor=actor, subject=round_subject(pending),
            data={"root": pending.root, "tx_hash": tx.tx_hash, "block_number": tx.block_number,
                  "activates_at": activates_at.isoformat()},
        )
        logger.info("round %s proposed on chain; claimable from %s", pending.number, activates_at.isoformat())
    else:
        back = cas_round(round_.pk, RoundStatus.PROPOSED, status=RoundStatus.FROZEN, propose_tx=None, proposed_at=None)
        record_event(
            "round:propose_failed", actor=actor, subject=round_subject(back),
            data={"l2tx": tx.pk, "status": tx.status, "error": tx.error[:500]},
        )
        logger.error("round %s: proposal l2tx:%s %s; the round is frozen again", back.number, tx.pk, tx.status)


def _mark_active(round_: DistributionRound, *, tx_hash: str, actor: str) -> DistributionRound:
    with transaction.atomic():
        active = cas_round(round_.pk, RoundStatus.PENDING, status=RoundStatus.ACTIVE, activated_tx_hash=tx_hash,
                      activated_at=timezone.now())
        record_event("round:active", actor=actor, subject=round_subject(active),
                     data={"root": active.root, "tx_hash": tx_hash})
    return active


@dataclass(frozen=True)
class Advance:
    """What `advance_rounds` did to the round in flight (for the task layer and the logs)."""

    round_number: int | None
    action: str  # "none", "waiting", "activation_queued", "active", "vetoed", "displaced", "paused"
    activated: bool = False


def _veto_tx_hash(client: ChainClient, round_: DistributionRound) -> str:
    topics = [contracts.ROOT_VETOED_TOPIC, None, round_.root.lower()]
    logs = client.get_logs(address=round_.distributor_address, topics=topics,
                           from_block=settings.L2_DISTRIBUTOR_DEPLOY_BLOCK, to_block=client.block_number())
    return str(logs[-1]["transactionHash"]) if logs else ""


def _activation_tx_hash(client: ChainClient, round_: DistributionRound) -> str:
    found = contracts.root_publications(client, round_.distributor_address, round_.root,
                                        from_block=settings.L2_DISTRIBUTOR_DEPLOY_BLOCK)
    return found[-1].tx_hash if found else ""


def advance_rounds(*, actor: str) -> Advance:
    """Move the pending round along with the chain: activate it on time, or follow what happened to it."""
    round_ = DistributionRound.objects.filter(status=RoundStatus.PENDING).first()
    if round_ is None:
        return Advance(None, "none")
    client = get_client()
    state = contracts.distributor_state(client, round_.distributor_address)
    root = round_.root.lower()
    if state.round_id >= round_.number and state.merkle_root == root:
        tx_hash = _activation_tx_hash(client, round_)
        _mark_active(round_, tx_hash=tx_hash or "unknown", actor=actor)
        return Advance(round_.number, "active", activated=True)
    if state.pending_root != root:
        if contracts.is_vetoed(client, round_.distributor_address, root):
            with transaction.atomic():
                vetoed = cas_round(round_.pk, RoundStatus.PENDING, status=RoundStatus.VETOED, vetoed_at=timezone.now(),
                              vetoed_tx_hash=_veto_tx_hash(client, round_))
                record_event("round:vetoed", actor=actor, subject=round_subject(vetoed),
                             data={"root": vetoed.root, "tx_hash": vetoed.vetoed_tx_hash})
            logger.critical("round %s: the guardian vetoed its root %s", round_.number, round_.root)
            return Advance(round_.number, "vetoed")
        with transaction.atomic():
            back = cas_round(round_.pk, RoundStatus.PENDING, status=RoundStatus.FROZEN, propose_tx=None,
                             proposed_at=None, activates_at=None)
            record_event("round:proposal_displaced", actor=actor, subject=round_subject(back),
                         data={"root": back.root, "pending_on_chain": state.pending_root,
                               "pending_round_on_chain": state.pending_round_id})
        logger.critical("round %s: another proposal (%s) displaced its root on chain; proposing it again",
                        round_.number, state.pending_root)
        propose_round(round_.pk, actor=actor)
        return Advance(round_.number, "displaced")
    if _chain_time(client) < state.pending_activates_at:
        return Advance(round_.number, "waiting")
    if state.paused:
        return Advance(round_.number, "paused")
    return Advance(round_.number, _queue_activation(round_, actor=actor))


def _queue_activation(round_: DistributionRound, *, actor: str) -> str:
    with transaction.atomic():
        locked = DistributionRound.objects.select_for_update().get(pk=round_.pk)
        if locked.status != RoundStatus.PENDING:
            return "none"
        if locked.activate_tx is not None and locked.activate_tx.status in L2Transaction.OPEN_STATUSES:
            return "waiting"
        tx = outbox.enqueue(
            purpose=L2Transaction.Purpose.ACTIVATE_ROOT, subject=round_subject(locked),
            to=locked.distributor_address, data=contracts.activate_root_data(), actor=actor,
        )
        DistributionRound.objects.filter(pk=locked.pk, status=RoundStatus.PENDING).update(activate_tx=tx)
        record_event("round:activation_queued", actor=actor, subject=round_subject(locked),
                     data={"root": locked.root, "l2tx": tx.pk})
    return "activation_queued"


def on_activate_finalized(tx: L2Transaction, *, actor: str) -> DistributionRound | None:
    """The activation is final: the round is active (returned, so payouts can start)."""
    round_ = DistributionRound.objects.filter(activate_tx=tx, status=RoundStatus.PENDING).first()
    if round_ is None:
        return None
    if tx.status == L2Transaction.Status.CONFIRMED:
        return _mark_active(round_, tx_hash=tx.tx_hash, actor=actor)
    # Reverted or failed: someone may have activated it first, or the contract was paused. The next
    # `advance_rounds` reads the chain and decides; the round stays pending meanwhile.
    record_event("round:activation_failed", actor=actor, subject=round_subject(round_),
                 data={"l2tx": tx.pk, "status": tx.status, "error": tx.error[:500]})
    return None
