"""Stored payloads: keyframes, deltas against them, rows from before deltas, reorgs, damage.

Every test reads the stored bytes back through `ServiceNodeSnapshot.canonical_json()` (what the
admin download serves) and compares them with the json module's canonical form of the result and
with the published sha256. Results have 40 nodes: big enough that an unchanged one is a delta.
"""

from __future__ import annotations

import hashlib
import json
import zlib

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from snb_scenarios import node, pubkey, result

from bonuses.models import ServiceNode, ServiceNodeSnapshot
from bonuses.services.ingest import ingest_snapshot
from bonuses.services.payloads import PayloadMismatch, StoredPayload, remember_keyframe
from bonuses.services.provisional import discard_snapshots_from
from swap.core import payload_codec
from swap.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("snb")]


def network(height: int, *, proofs: int = 0, nodes: int = 40, names: str = "n") -> dict:
    """A result of `nodes` nodes; `proofs` moves every uptime proof (what changes between blocks)."""
    states = []
    for i in range(nodes):
        entry = node(f"{names}{i}", (f"Lop{names}{i}", 3_750), (f"Lc{names}{i}", 11_250))
        entry["last_uptime_proof"] = 1_700_000_000 + proofs + i
        entry["portions_for_operator"] = 2**64 - 4  # above 2^53: must stay exact
        states.append(entry)
    return result(height, *states)


def reference(raw: dict) -> bytes:
    return json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def stored(height: int) -> ServiceNodeSnapshot:
    return ServiceNodeSnapshot.objects.get(height=height)


def assert_reproduces(raw: dict) -> None:
    row = stored(raw["height"])
    assert row.canonical_json() == reference(raw)
    assert hashlib.sha256(row.canonical_json()).hexdigest() == row.sha256


def test_unchanged_snapshots_are_small_deltas_on_the_first_one():
    first, second, third = network(1000), network(1002, proofs=7), network(1004, proofs=19)
    for raw in (first, second, third):
        ingest_snapshot(raw, source="live")
        assert_reproduces(raw)
    keyframe = stored(1000)
    assert (keyframe.payload_codec, keyframe.payload_base_id) == ("zstd", None)
    for height in (1002, 1004):  # both on the keyframe, never a chain of deltas
        assert (stored(height).payload_codec, stored(height).payload_base_id) == ("zstd", keyframe.pk)
        assert len(stored(height).payload) * 10 < len(keyframe.payload)
    events = AuditEvent.objects.filter(tag="snapshot:stored").order_by("id")
    assert [event.data["keyframe"] for event in events] == [None, 1000, 1000]


def test_a_snapshot_far_from_the_keyframe_becomes_the_next_keyframe():
    ingest_snapshot(network(1000), source="live")
    moved = network(1002, names="m")  # every node and contributor replaced
    ingest_snapshot(moved, source="live")
    ingest_snapshot(network(1004, names="m", proofs=1), source="live")
    assert stored(1002).payload_base_id is None
    assert stored(1004).payload_base_id == stored(1002).pk
    assert_reproduces(moved)


def test_rows_stored_whole_with_zlib_still_decode_and_serve_as_keyframes():
    """What migration 0004 leaves: every older row is zlib, whole. The next snapshot is a delta on it."""
    old = network(1000)
    ingest_snapshot(old, source="import")
    ServiceNodeSnapshot.objects.filter(height=1000).update(
        payload=zlib.compress(reference(old), 1), payload_codec=payload_codec.ZLIB
    )
    assert_reproduces(old)
    new = network(1002, proofs=3)
    ingest_snapshot(new, source="live")
    assert stored(1002).payload_base_id == stored(1000).pk
    assert_reproduces(new)


def test_a_reorg_discards_a_keyframe_with_its_deltas_and_restores_nodes_from_a_delta():
    ingest_snapshot(network(1000), source="live")
    ingest_snapshot(network(1002, proofs=5), source="live")
    shrunk = network(1004, proofs=9, nodes=39)  # n39 leaves
    ingest_snapshot(shrunk, source="live")
    assert stored(1004).payload_base_id == stored(1000).pk
    assert ServiceNode.objects.get(pubkey=pubkey("n39")).gone_height == 1004
    assert discard_snapshots_from(1004, reason="test: reorg") == (1004,)  # facts restored from 1002, a delta
    assert ServiceNode.objects.get(pubkey=pubkey("n39")).gone_height is None
    assert discard_snapshots_from(1000, reason="test: deeper reorg") == (1000, 1002)
    assert not ServiceNodeSnapshot.objects.exists()


def test_the_database_refuses_to_delete_a_keyframe_its_deltas_still_need():
    ingest_snapshot(network(1000), source="live")
    ingest_snapshot(network(1002, proofs=5), source="live")
    table = ServiceNodeSnapshot._meta.db_table
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE height = 1000")  # noqa: S608 - our own table
        connection.check_constraints(table_names=[table])


def test_a_cached_encoder_for_other_bytes_is_never_used():
    raw = network(1000)
    ingest_snapshot(raw, source="live")
    other = reference(network(1000, proofs=1))
    remember_keyframe(hashlib.sha256(other).hexdigest(), other)  # this process now caches another keyframe
    later = network(1002, proofs=2)
    ingest_snapshot(later, source="live")
    assert stored(1002).payload_base_id == stored(1000).pk
    assert_reproduces(later)


def test_a_damaged_keyframe_stores_nothing():
    ingest_snapshot(network(1000), source="live")
    ServiceNodeSnapshot.objects.filter(height=1000).update(payload=payload_codec.encode_keyframe(b'{"other":1}'))
    other = b"{}"
    remember_keyframe(hashlib.sha256(other).hexdigest(), other)  # forget the keyframe this process stored
    with pytest.raises(PayloadMismatch, match="does not decode to its sha256"):
        ingest_snapshot(network(1002, proofs=1), source="live")
    assert not ServiceNodeSnapshot.objects.filter(height=1002).exists()
    assert AuditEvent.objects.filter(tag="snapshot:stored").count() == 1


def test_a_payload_that_decodes_to_other_bytes_is_caught_before_commit():
    canonical = reference(network(1000))
    wrong = StoredPayload(payload_codec.ZSTD, payload_codec.encode_keyframe(canonical + b" "))
    wrong.start_check(canonical, None)
    with pytest.raises(PayloadMismatch, match="decodes to other bytes"):
        wrong.check()
    garbage = StoredPayload(payload_codec.ZSTD, b"not zstd")
    garbage.start_check(canonical, None)
    with pytest.raises(PayloadMismatch, match="does not decode"):
        garbage.check()


@pytest.mark.django_db(transaction=True)
def test_rows_from_before_migration_0004_become_zlib_keyframes():
    before, after = [("bonuses", "0003_snapshot_block_time_high")], [("bonuses", "0004_snapshot_payload_deltas")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_model = executor.loader.project_state(before).apps.get_model("bonuses", "ServiceNodeSnapshot")
    raw = network(1000)
    old_model.objects.create(
        height=1000, block_hash=raw["block_hash"], source="import", sha256=hashlib.sha256(reference(raw)).hexdigest(),
        payload=zlib.compress(reference(raw), 1), payload_bytes=len(reference(raw)), node_count=40,
        earning_stake_count=80, earning_total_atomic=0, stakes_digest="", nodes_digest="",
    )
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    row = stored(1000)
    assert (row.payload_codec, row.payload_base_id) == ("zlib", None)
    assert_reproduces(raw)
