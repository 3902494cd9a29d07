"""Storing one snapshot with the interval changes it implies, in one transaction, or not at all.

Rules (docs/rules.md, "Service Node Bonus"):
- Same height and block hash as a stored snapshot: nothing is written (imports are idempotent).
- Same height, another hash, stored one provisional: a reorg. Every stored snapshot from that
  height up is discarded (see `provisional.discard_snapshots_from`) and the new one is stored.
  Against a final snapshot: refused, a person must look.
- A height below the latest stored one: refused. The state at a height depends on the snapshot
  before it, so history is only ever appended (the import command sorts its files by height).
- Otherwise: the snapshot row (its payload a small delta against the current keyframe where it
  can be, see `payloads.py`), the node rows that changed, the stake intervals that changed
  (close + open, in bulk), a gap flag if the distance from the previous snapshot inside the
  program is over `SNB_GAP_BLOCKS`, and a `snapshot:stored` audit event.

Invariant kept: the open intervals are exactly the earning stakes of the latest stored snapshot.
That is what lets an unchanged snapshot skip reading them: equal digests mean equal stakes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bonuses.models import ServiceNodeSnapshot, SnapshotGap, SnapshotSource, StakeInterval
from bonuses.services.locks import lock_snapshot_writes
from bonuses.services.nodes import node_ids, sync_nodes
from bonuses.services.payloads import encode_payload
from bonuses.services.provisional import FinalSnapshotConflict, discard_snapshots_from
from swap.audit import record_event
from swap.core.bonus_allocation import interval_changes
from swap.core.snapshot_format import ParsedSnapshot, parse_snapshot

__all__ = ["FinalSnapshotConflict", "IngestOutcome", "OutOfOrderSnapshot", "ingest_parsed", "ingest_snapshot"]

logger = logging.getLogger(__name__)
BATCH = 500


class OutOfOrderSnapshot(ValueError):
    """A snapshot below the latest stored height that is not already stored."""


@dataclass(frozen=True)
class IngestOutcome:
    snapshot: ServiceNodeSnapshot
    created: bool
    opened: int = 0
    closed: int = 0
    gap: SnapshotGap | None = None
    discarded: tuple[int, ...] = ()


def ingest_snapshot(
    result: Any,
    *,
    source: str,
    block_timestamp: int | None = None,
    final: bool = False,
    actor: str = "system",
) -> IngestOutcome:
    """Store a `get_service_nodes` result (with `height` and `block_hash`) and its interval changes.

    `block_timestamp` is the block header's unix time. `final` marks the snapshot final at once
    (the caller checked it is at or below the chain's immutable height). Raises
    `SnapshotFormatError` for an unusable result, `OutOfOrderSnapshot` and `FinalSnapshotConflict`
    as described in the module docstring; nothing is written then.
    """
    return ingest_parsed(
        parse_snapshot(result), source=source, block_timestamp=block_timestamp, final=final, actor=actor
    )


def ingest_parsed(
    parsed: ParsedSnapshot,
    *,
    source: str,
    block_timestamp: int | None = None,
    final: bool = False,
    actor: str = "system",
) -> IngestOutcome:
    """`ingest_snapshot` for an already parsed result (the import command parses while validating)."""
    if source not in SnapshotSource.values:
        raise ValueError(f"unknown snapshot source {source!r}")
    if block_timestamp is not None and (type(block_timestamp) is not int or block_timestamp < 0):
        raise ValueError(f"block_timestamp must be unix seconds (an int), got {block_timestamp!r}")
    with transaction.atomic():
        lock_snapshot_writes()
        discarded: tuple[int, ...] = ()
        latest = _latest()
        if latest is not None and latest.height >= parsed.height:  # a known height, a reorg or out of order
            existing = latest if latest.height == parsed.height else (
                ServiceNodeSnapshot.objects.defer("payload").filter(height=parsed.height).first()
            )
            if existing is not None:
                if existing.block_hash == parsed.block_hash:
                    return IngestOutcome(existing, created=False)
                if not existing.provisional:
                    raise FinalSnapshotConflict(
                        f"height {parsed.height} is final with block {existing.block_hash}, not {parsed.block_hash}"
                    )
                discarded = discard_snapshots_from(
                    parsed.height,
                    reason=f"reorg: block {parsed.block_hash} now at height {parsed.height}",
                    actor=actor,
                )
                latest = _latest()
            if latest is not None and parsed.height < latest.height:
                raise OutOfOrderSnapshot(
                    f"height {parsed.height} is below the latest stored snapshot {latest.height}; "
                    "history is append-only"
                )
        previous_height = latest.height if latest is not None else None
        if latest is None or latest.nodes_digest != parsed.nodes_digest:
            sync_nodes(parsed.nodes, height=parsed.height, previous_height=previous_height)
        closed = opened = 0
        if latest is None or latest.stakes_digest != parsed.stakes_digest:
            closed, opened = _apply_interval_changes(parsed)
        stored = encode_payload(parsed.canonical, parsed.sha256, latest)
        now = timezone.now()
        snapshot = ServiceNodeSnapshot.objects.create(
            height=parsed.height,
            block_hash=parsed.block_hash,
            block_timestamp=block_timestamp,
            block_time_high=_running_max(latest.block_time_high if latest else None, block_timestamp),
            captured_at=now,
            source=source,
            sha256=parsed.sha256,
            payload=stored.payload,
            payload_codec=stored.codec,
            payload_base=stored.base,
            payload_bytes=len(parsed.canonical),
            provisional=not final,
            finalized_at=now if final else None,
            node_count=len(parsed.nodes),
            earning_stake_count=len(parsed.stakes),
            earning_total_atomic=parsed.earning_total_atomic,
            stakes_digest=parsed.stakes_digest,
            nodes_digest=parsed.nodes_digest,
            intervals_closed=closed,
            intervals_opened=opened,
        )
        gap = _flag_gap(previous_height, parsed.height)
        record_event(
            "snapshot:stored",
            actor=actor,
            subject=f"snapshot:{parsed.height}",
            data={
                "height": parsed.height,
                "block_hash": parsed.block_hash,
                "sha256": parsed.sha256,
                "source": source,
                "provisional": not final,
                "node_count": len(parsed.nodes),
                "intervals_closed": closed,
                "intervals_opened": opened,
                "gap_blocks": gap.blocks if gap else None,
                "discarded": list(discarded),
                "keyframe": stored.base.height if stored.base is not None else None,
            },
        )
        stored.check()  # the payload decodes to the canonical JSON, or nothing is stored
    if gap is not None:
        logger.warning("snapshot gap of %d blocks before height %d flagged", gap.blocks, parsed.height)
    return IngestOutcome(snapshot, created=True, opened=opened, closed=closed, gap=gap, discarded=discarded)


def _latest() -> ServiceNodeSnapshot | None:
    """The latest stored snapshot with its keyframe, without either payload."""
    return (
        ServiceNodeSnapshot.objects.defer("payload", "payload_base__payload")
        .select_related("payload_base")
        .order_by("-height")
        .first()
    )


def _apply_interval_changes(parsed: ParsedSnapshot) -> tuple[int, int]:
    """Close the open intervals whose stake changed and open the new ones; returns (closed, opened)."""
    open_rows = StakeInterval.objects.filter(to_height__isnull=True).values_list(
        "id", "oxen_address", "node__pubkey", "amount_atomic"
    )
    open_ids: dict[tuple[str, str], int] = {}
    open_stakes: dict[tuple[str, str], int] = {}
    for row_id, address, pubkey, amount in open_rows.iterator(chunk_size=5000):
        open_ids[(address, pubkey)] = row_id
        open_stakes[(address, pubkey)] = amount
    changes = interval_changes(open_stakes, parsed.stakes, parsed.height)
    close_ids = [open_ids[key] for key in changes.close]
    for start in range(0, len(close_ids), BATCH):
        StakeInterval.objects.filter(id__in=close_ids[start : start + BATCH]).update(to_height=parsed.height)
    ids = node_ids(pubkey for _, pubkey in changes.opened)
    StakeInterval.objects.bulk_create(
        [
            StakeInterval(oxen_address=address, node_id=ids[pubkey], amount_atomic=amount, from_height=parsed.height)
            for (address, pubkey), amount in changes.opened.items()
        ],
        batch_size=BATCH,
    )
    return len(close_ids), len(changes.opened)


def _running_max(previous: int | None, timestamp: int | None) -> int | None:
    """The running maximum of block timestamps in height order (None until one is known)."""
    known = [value for value in (previous, timestamp) if value is not None]
    return max(known) if known else None


def _flag_gap(previous_height: int | None, height: int) -> SnapshotGap | None:
    """Flag the stretch since the previous snapshot (or the program start) if it is too long.

    Only stretches that overlap the program's heights [SNB_START_HEIGHT, SNB_FINAL_HEIGHT) matter.
    """
    start, final = settings.SNB_START_HEIGHT, settings.SNB_FINAL_HEIGHT
    low = previous_height if previous_height is not None else start
    if height <= low or not (low < final and height > start):
        return None
    if height - low <= settings.SNB_GAP_BLOCKS:
        return None
    return SnapshotGap.objects.create(from_height=low, to_height=height, blocks=height - low)
