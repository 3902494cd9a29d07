"""Snapshot ingestion: intervals through joins, stake changes, decommissions, unlocks, departures.

Each test feeds `get_service_nodes` results to `ingest_snapshot` and reads back the rows, with the
expected intervals written out by hand.
"""

from __future__ import annotations

import hashlib
import json

import pytest
import zstandard
from django.db import IntegrityError, transaction
from snb_scenarios import OXEN, block_hash, node, pubkey, result

from bonuses.models import ServiceNode, ServiceNodeSnapshot, SnapshotGap, StakeInterval
from bonuses.services.ingest import FinalSnapshotConflict, OutOfOrderSnapshot, ingest_snapshot
from bonuses.services.provisional import discard_snapshots_from, mark_final
from swap.core.snapshot_format import SnapshotFormatError
from swap.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("snb")]


def intervals() -> set[tuple[str, str, int, int, int | None]]:
    """Every stored interval as (address, node name's pubkey, whole OXEN, from, to)."""
    return {
        (row.oxen_address, row.node.pubkey, row.amount_atomic // OXEN, row.from_height, row.to_height)
        for row in StakeInterval.objects.select_related("node")
    }


def ingest(*args, **kwargs):  # type: ignore[no-untyped-def]
    return ingest_snapshot(result(*args, **kwargs), source="import")


def test_a_snapshot_is_stored_with_its_digest_and_compressed_canonical_json():
    raw = result(1000, node("n1", ("La", 15_000)))
    outcome = ingest_snapshot(raw, source="live")
    snapshot = outcome.snapshot
    canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert outcome.created and snapshot.provisional
    stored = ServiceNodeSnapshot.objects.get(height=1000)
    assert (stored.payload_codec, stored.payload_base_id) == ("zstd", None)  # the first one is a keyframe
    assert zstandard.ZstdDecompressor().decompress(bytes(stored.payload)) == canonical
    assert snapshot.sha256 == hashlib.sha256(canonical).hexdigest()
    assert (snapshot.node_count, snapshot.earning_stake_count, snapshot.earning_total_atomic) == (1, 1, 15_000 * OXEN)
    event = AuditEvent.objects.get(tag="snapshot:stored")
    assert event.subject == "snapshot:1000" and event.data["sha256"] == snapshot.sha256


def test_joins_stake_changes_and_departures_write_only_the_changes():
    ingest(1000, node("n1", ("La", 5_000), ("Lb", 10_000)))
    assert intervals() == {("La", pubkey("n1"), 5_000, 1000, None), ("Lb", pubkey("n1"), 10_000, 1000, None)}

    same = ingest(1002, node("n1", ("La", 5_000), ("Lb", 10_000)))
    assert (same.opened, same.closed) == (0, 0)

    # n2 joins funded; Lb's stake on n1 changes (a new amount closes the old interval).
    changed = ingest(1004, node("n1", ("La", 5_000), ("Lb", 10_001)), node("n2", ("Lc", 15_000)))
    assert (changed.opened, changed.closed) == (2, 1)
    # n1 leaves the list (deregistered or unlocked).
    ingest(1006, node("n2", ("Lc", 15_000)))
    assert intervals() == {
        ("La", pubkey("n1"), 5_000, 1000, 1006),
        ("Lb", pubkey("n1"), 10_000, 1000, 1004),
        ("Lb", pubkey("n1"), 10_001, 1004, 1006),
        ("Lc", pubkey("n2"), 15_000, 1004, None),
    }
    gone = ServiceNode.objects.get(pubkey=pubkey("n1"))
    assert (gone.first_seen_height, gone.last_seen_height, gone.gone_height) == (1000, 1004, 1006)
    assert ServiceNode.objects.get(pubkey=pubkey("n2")).gone_height is None


def test_decommission_stops_earning_and_recommission_resumes():
    ingest(1000, node("n1", ("La", 15_000)))
    ingest(1010, node("n1", ("La", 15_000), active=False, funded=True))
    row = ServiceNode.objects.get(pubkey=pubkey("n1"))
    assert row.state == "decommissioned" and row.updated_height == 1010
    ingest(1020, node("n1", ("La", 15_000)))
    assert ServiceNode.objects.get(pubkey=pubkey("n1")).state == "active"
    assert intervals() == {("La", pubkey("n1"), 15_000, 1000, 1010), ("La", pubkey("n1"), 15_000, 1020, None)}


def test_an_awaiting_node_earns_only_once_funded():
    ingest(1000, node("n1", ("La", 3_750), active=False, funded=False))
    assert intervals() == set()
    assert ServiceNode.objects.get().state == "awaiting"
    ingest(1005, node("n1", ("La", 3_750), ("Lb", 11_250)))
    assert intervals() == {("La", pubkey("n1"), 3_750, 1005, None), ("Lb", pubkey("n1"), 11_250, 1005, None)}


def test_an_unlock_request_keeps_earning_until_the_node_leaves():
    ingest(1000, node("n1", ("La", 15_000)))
    requested = ingest(1010, node("n1", ("La", 15_000), unlock=1030))
    assert (requested.opened, requested.closed) == (0, 0)
    assert ServiceNode.objects.get().requested_unlock_height == 1030
    ingest(1030)
    assert intervals() == {("La", pubkey("n1"), 15_000, 1000, 1030)}


def test_a_node_registered_again_with_the_same_key_reopens_its_listing():
    ingest(1000, node("n1", ("La", 15_000)))
    ingest(1010)
    ingest(1020, node("n1", ("Lb", 15_000)))
    row = ServiceNode.objects.get()
    assert row.listings == [[1000, 1000, 1010], [1020, None, None]]
    assert (row.first_seen_height, row.listed_since_height, row.gone_height) == (1000, 1020, None)
    assert row.operator_address == "Lb"


def test_a_long_gap_inside_the_program_is_flagged_and_short_ones_are_not():
    ingest(990, node("n1", ("La", 15_000)))  # before the start: no gap to the start
    ingest(1020, node("n1", ("La", 15_000)))  # 30 blocks: not over the setting
    outcome = ingest(1051, node("n1", ("La", 15_000)))
    assert outcome.gap is not None and (outcome.gap.from_height, outcome.gap.to_height, outcome.gap.blocks) == (
        1020, 1051, 31)
    ingest(3000)  # entirely after SNB_FINAL_HEIGHT = 2000... but [1051, 3000) overlaps it
    assert list(SnapshotGap.objects.values_list("from_height", "to_height")) == [(1051, 3000), (1020, 1051)]
    ingest(3100)  # after the program: not flagged
    assert SnapshotGap.objects.count() == 2


def test_the_first_snapshot_after_the_start_flags_the_stretch_before_it():
    ingest(1100, node("n1", ("La", 15_000)))
    assert list(SnapshotGap.objects.values_list("from_height", "to_height", "blocks")) == [(1000, 1100, 100)]


def test_the_same_snapshot_twice_writes_nothing_and_older_heights_are_refused():
    ingest(1000, node("n1", ("La", 15_000)))
    ingest(1010, node("n1", ("La", 15_000)))
    again = ingest(1000, node("n1", ("La", 15_000)))
    assert not again.created and AuditEvent.objects.filter(tag="snapshot:stored").count() == 2
    with pytest.raises(OutOfOrderSnapshot):
        ingest(1005, node("n1", ("La", 14_000)))
    assert ServiceNodeSnapshot.objects.count() == 2


@pytest.mark.parametrize(
    "bad",
    [
        {"height": 1000, "block_hash": "zz" * 32, "service_node_states": []},
        {"height": "1000", "block_hash": block_hash(1000), "service_node_states": []},
        {"height": 1000, "block_hash": block_hash(1000)},
        {"height": 1000, "block_hash": block_hash(1000), "unchanged": True},
        {"height": 1000, "block_hash": block_hash(1000), "status": "BUSY", "service_node_states": []},
        result(1000, node("n1", ("La", 15_000)), node("n1", ("Lb", 15_000))),
    ],
    ids=["hash", "height-type", "no-list", "unchanged", "busy", "duplicate-node"],
)
def test_an_unusable_result_is_refused_and_writes_nothing(bad):
    with pytest.raises(SnapshotFormatError):
        ingest_snapshot(bad, source="live")
    assert not ServiceNodeSnapshot.objects.exists() and not AuditEvent.objects.exists()


def test_a_fractional_amount_is_refused():
    bad = result(1000, node("n1", ("La", 15_000)))
    bad["service_node_states"][0]["contributors"][0]["amount"] = 1.5e13
    with pytest.raises(SnapshotFormatError):
        ingest_snapshot(bad, source="live")


def test_a_reorg_at_a_provisional_height_replaces_it_and_everything_after():
    ingest(1000, node("n1", ("La", 15_000)))
    ingest(1010, node("n1", ("La", 15_000)), node("n2", ("Lb", 15_000)))
    ingest(1020, node("n2", ("Lb", 15_000)))  # n1 left
    replaced = ingest(1010, node("n1", ("La", 14_000)), fork="b")
    assert replaced.created and replaced.discarded == (1010, 1020)
    assert list(ServiceNodeSnapshot.objects.values_list("height", "block_hash")) == [
        (1010, block_hash(1010, "b")), (1000, block_hash(1000))]
    assert intervals() == {("La", pubkey("n1"), 15_000, 1000, 1010), ("La", pubkey("n1"), 14_000, 1010, None)}
    assert not ServiceNode.objects.filter(pubkey=pubkey("n2")).exists()
    n1 = ServiceNode.objects.get(pubkey=pubkey("n1"))
    assert (n1.gone_height, n1.last_seen_height, n1.listings) == (None, None, [[1000, None, None]])
    event = AuditEvent.objects.get(tag="snapshot:discarded")
    assert [row["height"] for row in event.data["snapshots"]] == [1010, 1020]


def test_discarding_restores_node_rows_exactly():
    ingest(1000, node("n1", ("La", 15_000)), node("n2", ("Lb", 15_000)))
    ingest(1010, node("n1", ("La", 15_000), active=False, funded=True))  # n1 decommissioned, n2 gone
    ingest(1020, node("n1", ("La", 15_000)), node("n2", ("Lc", 15_000)))  # n2 registered again
    discard_snapshots_from(1020, reason="test")
    assert {row.pubkey: (row.state, row.operator_address, row.listings, row.gone_height)
            for row in ServiceNode.objects.all()} == {
        pubkey("n1"): ("decommissioned", "La", [[1000, None, None]], None),
        pubkey("n2"): ("active", "Lb", [[1000, 1000, 1010]], 1010),
    }
    discard_snapshots_from(1010, reason="test")
    assert {row.pubkey: (row.state, row.gone_height) for row in ServiceNode.objects.all()} == {
        pubkey("n1"): ("active", None), pubkey("n2"): ("active", None)}
    assert intervals() == {("La", pubkey("n1"), 15_000, 1000, None), ("Lb", pubkey("n2"), 15_000, 1000, None)}


def test_final_snapshots_are_never_replaced_or_discarded():
    ingest(1000, node("n1", ("La", 15_000)))
    ingest(1010, node("n1", ("La", 15_000)))
    assert mark_final([1000]) == 1
    assert AuditEvent.objects.filter(tag="snapshot:finalized").count() == 1
    with pytest.raises(FinalSnapshotConflict):
        ingest(1000, node("n1", ("La", 1)), fork="b")
    with pytest.raises(FinalSnapshotConflict):
        discard_snapshots_from(1000, reason="test")
    assert ServiceNodeSnapshot.objects.count() == 2


def test_the_database_refuses_two_open_intervals_for_one_stake():
    ingest(1000, node("n1", ("La", 15_000)))
    row = StakeInterval.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        StakeInterval.objects.create(oxen_address="La", node=row.node, amount_atomic=1, from_height=1001)
    with pytest.raises(IntegrityError), transaction.atomic():
        StakeInterval.objects.create(oxen_address="Lz", node=row.node, amount_atomic=0, from_height=1001)
