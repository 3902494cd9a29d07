"""Provisional snapshots: made final once the chain can no longer reorganize them, or discarded.

A snapshot above oxend's `immutable_height` describes a block that a reorg may still replace. The
capture task checks each provisional snapshot's block hash against the chain: a match at or below
the immutable height makes it final (`mark_final`); a snapshot whose block is no longer on the
chain, above the immutable height, is discarded with everything stored after it
(`discard_snapshots_from`), and the next capture stores the new chain's state.

Discarding undoes exactly what ingestion derived from those snapshots: every interval and node
change is tagged with a snapshot height, so "before height X" is: intervals opened at >= X
deleted, intervals closed at >= X reopened, node rows restored from their listing history, gaps
ending at >= X deleted. The snapshots' digests and the reason go into a `snapshot:discarded`
audit event. Final snapshots are never discarded.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from bonuses.models import ServiceNodeSnapshot, SnapshotGap, StakeInterval
from bonuses.services.locks import lock_snapshot_writes
from bonuses.services.nodes import restore_nodes_before
from swap.audit import record_event


class FinalSnapshotConflict(ValueError):
    """The chain disagrees with a final snapshot: nothing is changed automatically."""


def discard_snapshots_from(height: int, *, reason: str, actor: str = "system") -> tuple[int, ...]:
    """Delete the stored snapshots at heights >= `height` and everything derived from them.

    All of them must be provisional, else `FinalSnapshotConflict` and nothing changes. Returns the
    discarded heights, ascending. Runs in its own transaction, or joins the caller's.
    """
    with transaction.atomic():
        lock_snapshot_writes()
        doomed = list(
            ServiceNodeSnapshot.objects.filter(height__gte=height)
            .order_by("height")
            .values("height", "block_hash", "sha256", "provisional", "source")
        )
        if not doomed:
            return ()
        final = [row["height"] for row in doomed if not row["provisional"]]
        if final:
            raise FinalSnapshotConflict(f"refusing to discard final snapshots at heights {final[:5]}")
        StakeInterval.objects.filter(from_height__gte=height).delete()
        StakeInterval.objects.filter(to_height__gte=height).update(to_height=None)
        restore_nodes_before(height)
        later_gaps = SnapshotGap.objects.filter(to_height__gte=height)
        gaps = list(later_gaps.values("from_height", "to_height", "acknowledged"))
        later_gaps.delete()
        ServiceNodeSnapshot.objects.filter(height__gte=height).delete()
        record_event(
            "snapshot:discarded",
            actor=actor,
            subject=f"snapshot:{height}",
            data={"reason": reason, "snapshots": doomed, "gaps": gaps},
        )
    return tuple(row["height"] for row in doomed)


def mark_final(heights: Sequence[int], *, actor: str = "system") -> int:
    """Mark these provisional snapshots final (their hashes were checked); returns how many changed."""
    if not heights:
        return 0
    with transaction.atomic():
        lock_snapshot_writes()
        now = timezone.now()
        ordered = sorted(heights)
        changed = 0
        for start in range(0, len(ordered), 500):
            changed += ServiceNodeSnapshot.objects.filter(
                height__in=ordered[start : start + 500], provisional=True
            ).update(provisional=False, finalized_at=now)
        if changed:
            record_event(
                "snapshot:finalized",
                actor=actor,
                subject=f"snapshot:{min(heights)}-{max(heights)}",
                data={"heights": [min(heights), max(heights)], "count": changed},
            )
    return changed
