"""Reading the distributor's events into the watchdog's tables, and judging each claim as it is read.

One `eth_getLogs` per chunk of blocks asks for the three events the watchdog cares about
(`RootProposed`, `RootPublished`, `Claimed`), in chain order. Only final blocks are read
(`L2_CONFIRMATIONS` deep, or the `finalized` tag), so nothing stored ever needs undoing, and
what the distributor paid up to the cursor is a sum the coverage check can trust; the pending
root is read from the contract's state at the head as well (see `passes.py`), so a proposal made
in the last few blocks is still judged within the pass. The cursor keeps the hash of the last
block read and refuses to go on if the chain under it changed.

Claims are judged here, in the transaction that stores them: the round active when a claim was
paid is the latest `RootPublished` before it, and the account's new cumulative total must stay
within its frozen entry of that round (the database's round of that number).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum

from swap.audit import record_event
from swap.chain import contracts
from swap.chain.client import ChainClient
from swap.distributions.models import DistributionEntry, DistributionRound, RoundStatus
from swap.watchdog.exceptions import WatchdogError, WatchdogReorgError
from swap.watchdog.findings import claim_finding
from swap.watchdog.models import AlertKind, ClaimCheck, ProposalCheck, RootActivation, Verdict, WatchCursor
from swap.watchdog.services.alerts import raise_alert

WATCHED_TOPICS = [contracts.ROOT_PROPOSED_TOPIC, contracts.ROOT_PUBLISHED_TOPIC, contracts.CLAIMED_TOPIC]


@dataclass
class ScanReport:
    final_block: int
    proposals: int = 0
    activations: int = 0
    claims: int = 0
    claim_mismatches: list[int] = field(default_factory=list)


def final_block(client: ChainClient) -> int:
    """The newest block the watchdog treats as final (same rule as the claim index)."""
    if settings.L2_USE_FINALIZED_TAG:
        block = client.get_block("finalized")
        return int(block["number"], 16) if block else 0
    return client.block_number() - settings.L2_CONFIRMATIONS + 1


def cursor_of(client: ChainClient, distributor: str) -> WatchCursor:
    cursor, _ = WatchCursor.objects.get_or_create(
        chain_id=client.chain_id, distributor=distributor,
        defaults={"next_block": settings.L2_DISTRIBUTOR_DEPLOY_BLOCK},
    )
    return cursor


def scan_events(client: ChainClient, distributor: str, *, actor: str) -> ScanReport:
    """Read and record every watched event from the cursor up to the final block."""
    cursor = cursor_of(client, distributor)
    if cursor.last_block_hash:
        seen = client.get_block(cursor.next_block - 1)
        if seen is None or seen.get("hash") != cursor.last_block_hash:
            raise WatchdogReorgError(f"block {cursor.next_block - 1}, read as final by the watchdog, left the chain")
    final = final_block(client)
    report = ScanReport(final_block=max(final, cursor.next_block - 1))
    start = cursor.next_block
    while start <= final:
        end = min(final, start + settings.L2_LOG_CHUNK_BLOCKS - 1)
        logs = client.get_logs(address=distributor, topics=[WATCHED_TOPICS], from_block=start, to_block=end)
        logs.sort(key=lambda log: (int(log["blockNumber"], 16), int(log["logIndex"], 16)))
        block = client.get_block(end)
        with transaction.atomic():
            chunk = _record_chunk(client.chain_id, distributor, logs, actor=actor)
            if chunk.proposals or chunk.activations or chunk.claims:
                record_event("watchdog:events_recorded", actor=actor, subject=f"distributor:{distributor}",
                             data={"from_block": start, "to_block": end, "proposals": chunk.proposals,
                                   "activations": chunk.activations, "claims": chunk.claims,
                                   "claim_mismatches": len(chunk.claim_mismatches)})
            moved = WatchCursor.objects.filter(pk=cursor.pk, next_block=start).update(
                next_block=end + 1, last_block_hash=block["hash"] if block else ""
            )
            if moved != 1:
                raise WatchdogError("another watchdog pass moved the cursor meanwhile; this one stops")
        report.proposals += chunk.proposals
        report.activations += chunk.activations
        report.claims += chunk.claims
        report.claim_mismatches += chunk.claim_mismatches
        start = end + 1
    return report


def _record_chunk(chain_id: int, distributor: str, logs: list[dict[str, Any]], *, actor: str) -> ScanReport:
    report = ScanReport(final_block=0)
    for log in logs:
        topic = log["topics"][0]
        if topic == contracts.ROOT_PROPOSED_TOPIC:
            report.proposals += record_proposal(chain_id, distributor, contracts.decode_root_proposed_log(log))
        elif topic == contracts.ROOT_PUBLISHED_TOPIC:
            published = contracts.decode_root_published_log(log)
            _, created = RootActivation.objects.get_or_create(
                chain_id=chain_id, tx_hash=published.tx_hash, log_index=int(log["logIndex"], 16),
                defaults={"distributor": distributor, "round_id": published.round_id, "root": published.root.lower(),
                          "block_number": published.block_number},
            )
            report.activations += created
        elif topic == contracts.CLAIMED_TOPIC:
            check = _record_claim(chain_id, distributor, log, actor=actor)
            if check is not None:
                report.claims += 1
                if check.verdict == Verdict.MISMATCH:
                    report.claim_mismatches.append(check.pk)
    return report


def record_proposal(chain_id: int, distributor: str, proposed: contracts.ProposedRoot) -> bool:
    """Store a `RootProposed` (unchecked), or fill in where a pending-state record came from."""
    check, created = ProposalCheck.objects.get_or_create(
        chain_id=chain_id, distributor=distributor, round_id=proposed.round_id, root=proposed.root.lower(),
        activates_at=proposed.activates_at,
        defaults={"declared_total": str(proposed.total), "declared_accounts": str(proposed.accounts),
                  "source": ProposalCheck.Source.LOG, "tx_hash": proposed.tx_hash, "log_index": proposed.log_index,
                  "block_number": proposed.block_number},
    )
    if not created and not check.tx_hash:
        ProposalCheck.objects.filter(pk=check.pk, tx_hash="").update(
            tx_hash=proposed.tx_hash, log_index=proposed.log_index, block_number=proposed.block_number
        )
    return created


def active_round_at(chain_id: int, distributor: str, block_number: int, log_index: int) -> RootActivation | None:
    """The latest `RootPublished` strictly before (block, log index): the root claims were checked against."""
    before = Q(block_number__lt=block_number) | Q(block_number=block_number, log_index__lt=log_index)
    return (RootActivation.objects.filter(before, chain_id=chain_id, distributor=distributor)
            .order_by("-block_number", "-log_index").first())


def frozen_round_numbered(number: int) -> DistributionRound | None:
    """The database's round carrying `number`: frozen or further on, never a draft, never a vetoed one."""
    return (DistributionRound.objects.numbered().exclude(status=RoundStatus.DRAFT).filter(number=number)
            .order_by("-pk").first())


def _record_claim(chain_id: int, distributor: str, log: dict[str, Any], *, actor: str) -> ClaimCheck | None:
    tx_hash, log_index = log["transactionHash"], int(log["logIndex"], 16)
    if ClaimCheck.objects.filter(chain_id=chain_id, tx_hash=tx_hash, log_index=log_index).exists():
        return None
    account, amount, cumulative = contracts.decode_claimed_log(log)
    block_number = int(log["blockNumber"], 16)
    active = active_round_at(chain_id, distributor, block_number, log_index)
    round_ = frozen_round_numbered(active.round_id) if active else None
    entitled = None
    if round_ is not None:
        entitled = (DistributionEntry.objects.filter(round=round_, eth_address=account)
                    .values_list("cumulative_atomic", flat=True).first())
    finding = claim_finding(account, cumulative, round_id=active.round_id if active else None, entitled=entitled,
                            round_known=round_ is not None)
    check = ClaimCheck.objects.create(
        chain_id=chain_id, distributor=distributor, tx_hash=tx_hash, log_index=log_index, block_number=block_number,
        eth_address=account, amount_atomic=amount, cumulative_atomic=cumulative,
        round_id=active.round_id if active else None, entitled_atomic=entitled,
        verdict=Verdict.MISMATCH if finding else Verdict.OK, reason=(finding or "")[:300],
    )
    if finding:
        record_event("watchdog:claim_mismatch", actor=actor, subject=f"eth:{account}",
                     data={"tx_hash": tx_hash, "log_index": log_index, "block_number": block_number,
                           "amount_atomic": str(amount), "cumulative_atomic": str(cumulative),
                           "round_id": check.round_id, "entitled_atomic": None if entitled is None else str(entitled),
                           "finding": finding})
        raise_alert(AlertKind.CLAIM_MISMATCH, subject=f"claim-check:{check.pk}", message=finding, actor=actor,
                    data={"tx_hash": tx_hash, "log_index": log_index, "distributor": distributor})
    return check


def paid_up_to(chain_id: int, distributor: str, block: int) -> int:
    """Everything the distributor paid up to `block`, from the `Claimed` events the watchdog read."""
    total = ClaimCheck.objects.filter(chain_id=chain_id, distributor=distributor, block_number__lte=block).aggregate(
        paid=Sum("amount_atomic")
    )["paid"]
    return int(total or 0)
