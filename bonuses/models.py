"""Service Node Bonus records: captured snapshots and what ingestion derives from them.

`ServiceNodeSnapshot` keeps every `get_service_nodes` result we base money on, compressed (most as a
small delta against an earlier snapshot, see `payload_codec.py`), with the sha256 of its canonical
JSON, so anyone can re-derive every stake interval from the stored bytes.
`StakeInterval` and `ServiceNode` are derived data: ingestion writes them in the same transaction
as the snapshot, and only when something changed. The database enforces what the arithmetic relies
on: one snapshot per height, positive amounts, `from < to`, and at most one open interval per
(Oxen address, node) so a stake can never be counted twice.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from swap.core import payload_codec


class SnapshotSource(models.TextChoices):
    LIVE = "live", "captured live from oxend"
    IMPORT = "import", "imported from a recorded file"


class NodeState(models.TextChoices):
    """Derived from oxend's flags: `active`; `funded && !active` is decommissioned; else awaiting."""

    ACTIVE = "active", "active (earns)"
    DECOMMISSIONED = "decommissioned", "decommissioned (earns nothing)"
    AWAITING = "awaiting", "awaiting contributions (earns nothing)"


class ServiceNodeSnapshot(models.Model):
    """One `get_service_nodes` result at the top block `height` (oxend's top height, not length).

    `payload` is the compressed canonical JSON of the result as received (keys sorted, no
    whitespace, UTF-8): on its own (`payload_base` empty: a keyframe, or a row stored before
    deltas) or as a zstd delta against the keyframe `payload_base` (`payload_codec.py`).
    `sha256` is over the uncompressed canonical JSON, which `canonical_json()` gives back and the
    admin downloads, so the published digest can be checked with any sha256 tool. A keyframe can
    only be deleted together with the deltas on it (the foreign key refuses anything else).
    `provisional` stays true until the chain's `immutable_height` reaches `height` and the block
    hash is verified; provisional rows may be discarded by a reorg, final ones never change.
    """

    height = models.PositiveBigIntegerField(unique=True)
    block_hash = models.CharField(max_length=64)
    block_timestamp = models.PositiveBigIntegerField(
        null=True, blank=True, db_index=True,
        help_text="the block header's timestamp, unix seconds, as oxend reports it (chain time); empty if unknown",
    )
    block_time_high = models.PositiveBigIntegerField(
        null=True, blank=True,
        help_text="the highest block timestamp of the snapshots up to this height (a running maximum, so it "
        "never decreases with height): the time axis on which a late registration finds its first snapshot",
    )
    captured_at = models.DateTimeField(default=timezone.now, db_index=True, help_text="when we stored it")
    source = models.CharField(max_length=10, choices=SnapshotSource.choices)
    sha256 = models.CharField(max_length=64, help_text="sha256 of the uncompressed canonical JSON")
    payload = models.BinaryField(help_text="compressed canonical JSON of the get_service_nodes result")
    payload_codec = models.CharField(
        max_length=8, choices=[(payload_codec.ZLIB, "zlib"), (payload_codec.ZSTD, "zstd")],
        help_text="how the payload is compressed",
    )
    payload_base = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+",
        help_text="the keyframe whose canonical JSON this payload is a zstd delta against; empty: stored whole",
    )
    payload_bytes = models.PositiveIntegerField(help_text="size of the uncompressed canonical JSON")
    provisional = models.BooleanField(default=True, db_index=True)
    finalized_at = models.DateTimeField(null=True, blank=True)
    node_count = models.PositiveIntegerField()
    earning_stake_count = models.PositiveIntegerField(help_text="(address, node) stakes that earn at this height")
    earning_total_atomic = models.BigIntegerField(help_text="sum of the earning stakes, atomic OXEN")
    stakes_digest = models.CharField(max_length=64, help_text="sha256 of the earning stakes, in pubkey order")
    nodes_digest = models.CharField(
        max_length=64, help_text="sha256 of the node facts kept in ServiceNode, in pubkey order"
    )
    intervals_closed = models.PositiveIntegerField(default=0)
    intervals_opened = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-height"]
        get_latest_by = "height"
        indexes = [models.Index(fields=["block_time_high", "height"], name="snapshot_time_high_height")]
        constraints = [
            models.CheckConstraint(condition=Q(earning_total_atomic__gte=0), name="snapshot_earning_total_nonnegative"),
            models.CheckConstraint(
                condition=Q(provisional=True) | Q(finalized_at__isnull=False), name="snapshot_final_has_time"
            ),
            models.CheckConstraint(
                condition=Q(payload_base__isnull=True) | Q(payload_codec=payload_codec.ZSTD),
                name="snapshot_delta_is_zstd",
            ),
        ]

    def __str__(self) -> str:
        state = "provisional" if self.provisional else "final"
        return f"snapshot {self.height} {self.block_hash[:12]}… ({state})"

    def canonical_json(self) -> bytes:
        """The stored result exactly as hashed: decompress the payload (and its keyframe's, for a delta)."""
        base = None
        if self.payload_base_id is not None:
            keyframe = ServiceNodeSnapshot.objects.only("payload", "payload_codec", "payload_base").get(
                pk=self.payload_base_id
            )
            base = keyframe.canonical_json()
        return payload_codec.decode(bytes(self.payload), self.payload_codec, base)


class ServiceNode(models.Model):
    """A service node as the snapshots have shown it; rows change only when its facts change.

    `state`, `state_height`, `requested_unlock_height`, `operator_address` and
    `registration_height` are as oxend reported them in the latest snapshot listing the node.
    `listings` is the node's listing history, `[[first_height, last_seen_height, gone_height], …]`
    with the last two null while listed; it lets a reorg restore the row exactly (a pubkey can leave
    the list and register again).
    """

    pubkey = models.CharField(max_length=64, unique=True)
    operator_address = models.CharField(max_length=110, blank=True, db_index=True)
    registration_height = models.PositiveBigIntegerField(null=True, blank=True)
    state = models.CharField(max_length=16, choices=NodeState.choices)
    state_height = models.PositiveBigIntegerField(null=True, blank=True, help_text="oxend's state_height")
    requested_unlock_height = models.PositiveBigIntegerField(default=0, help_text="0 = no unlock requested")
    first_seen_height = models.PositiveBigIntegerField(help_text="first snapshot that listed it")
    first_seen_at = models.DateTimeField(default=timezone.now, help_text="when that snapshot was stored")
    listed_since_height = models.PositiveBigIntegerField(help_text="start of its current (or last) listing")
    last_seen_height = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="last snapshot that listed it; empty while the latest snapshot lists it"
    )
    gone_height = models.PositiveBigIntegerField(
        null=True, blank=True, db_index=True, help_text="first snapshot without it; empty while listed"
    )
    updated_height = models.PositiveBigIntegerField(help_text="snapshot height of the last change to this row")
    listings = models.JSONField(default=list)

    class Meta:
        ordering = ["pubkey"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_seen_height__isnull=True, gone_height__isnull=True)
                | Q(last_seen_height__isnull=False, gone_height__gt=F("last_seen_height")),
                name="servicenode_gone_after_last_seen",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pubkey[:12]}… ({self.state})"

    @property
    def listed(self) -> bool:
        return self.gone_height is None


class StakeInterval(models.Model):
    """`amount_atomic` of `oxen_address`'s stake on `node` earned at heights from_height <= h < to_height.

    `to_height` is null while the stake still earns (the interval is "open"). Both heights are
    heights of stored snapshots: the snapshot that saw the stake start, and the first one that saw
    it stop or change. Only earning stakes (funded and active nodes) have intervals.
    """

    oxen_address = models.CharField(max_length=110, db_index=True)
    node = models.ForeignKey(ServiceNode, on_delete=models.PROTECT, related_name="intervals")
    amount_atomic = models.BigIntegerField()
    from_height = models.PositiveBigIntegerField(db_index=True)
    to_height = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, help_text="when the opening snapshot was stored")

    class Meta:
        ordering = ["from_height", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_atomic__gt=0), name="stakeinterval_amount_positive"),
            models.CheckConstraint(
                condition=Q(to_height__isnull=True) | Q(to_height__gt=F("from_height")),
                name="stakeinterval_to_after_from",
            ),
            models.UniqueConstraint(
                fields=["oxen_address", "node"],
                condition=Q(to_height__isnull=True),
                name="stakeinterval_one_open_per_address_node",
            ),
        ]

    def __str__(self) -> str:
        end = "…" if self.to_height is None else str(self.to_height)
        return f"{self.oxen_address[:6]}…{self.oxen_address[-6:]} {self.amount_atomic} [{self.from_height}, {end})"


class SnapshotGap(models.Model):
    """More than `SNB_GAP_BLOCKS` blocks between two consecutive snapshots inside the program.

    The earlier snapshot's state is taken to hold across the gap (SPEC §3); a gap is flagged so a
    person checks it. `from_height` is the earlier snapshot's height, or `SNB_START_HEIGHT` for the
    stretch before the first snapshot.
    """

    from_height = models.PositiveBigIntegerField()
    to_height = models.PositiveBigIntegerField(db_index=True)
    blocks = models.PositiveBigIntegerField()
    flagged_at = models.DateTimeField(default=timezone.now)
    acknowledged = models.BooleanField(default=False)
    acknowledged_by = models.CharField(max_length=150, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-to_height"]
        constraints = [
            models.UniqueConstraint(fields=["to_height"], name="snapshotgap_one_per_snapshot"),
            models.CheckConstraint(condition=Q(to_height__gt=F("from_height")), name="snapshotgap_to_after_from"),
            models.CheckConstraint(condition=Q(blocks=F("to_height") - F("from_height")), name="snapshotgap_blocks"),
        ]

    def __str__(self) -> str:
        return f"gap [{self.from_height}, {self.to_height}) of {self.blocks} blocks"

