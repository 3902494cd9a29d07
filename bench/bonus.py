"""Service Node Bonus at synthetic mainnet scale, through the Django ORM: ingestion and full recompute.

    .venv/bin/python bench/bonus.py [--seed 5] [--repeats 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/swap_bench_bonus .venv/bin/python bench/bonus.py

Without DATABASE_URL it runs on a throwaway SQLite file in a temporary directory; with it, on that
PostgreSQL database, whose name must contain "bench" (its bonus and registration tables are
emptied first). Nothing is asserted: it prints numbers.

Scale (issue 5): 2,000 nodes with 1–10 contributors each; 300,000 blocks; 50,000 stake intervals;
10,000 registered addresses. Goals: ingest < 50 ms per unchanged snapshot and < 500 ms per
changed one; full accrual + split < 2 s. A naive loop over every block is timed on a 1,000-block
sample of the same data and extrapolated to 300,000 blocks, for the ratio.

"Unchanged" is a new height whose earning stakes and node facts equal the latest snapshot's (the
JSON still differs: height, hash, uptime proofs); "changed" has 10 % of nodes changing (stake
changes, joins, departures, decommissions); "all changed" gives every contributor a new amount.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

OXEN = 10**9
NODES, BLOCKS, INTERVALS, REGISTERED = 2_000, 300_000, 50_000, 10_000
START = 1_417_199
FINAL = START + BLOCKS
NAIVE_SAMPLE = 1_000


def setup_django() -> str:
    """Point Django at a throwaway database and migrate it; returns a description."""
    if os.environ.get("DATABASE_URL"):
        name = os.environ["DATABASE_URL"].rsplit("/", 1)[-1]
        if "bench" not in name:
            sys.exit(f"refusing to run on database {name!r}: its name must contain 'bench'")
        where = f"PostgreSQL database {name}"
    else:
        os.environ["SQLITE_PATH"] = str(Path(tempfile.mkdtemp(prefix="bench-bonus-")) / "bench.sqlite3")
        where = f"SQLite {os.environ['SQLITE_PATH']}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "swap.settings")
    # A throwaway database: production settings still demand a strong secret (swap/production.py).
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["SNB_START_HEIGHT"] = str(START)
    os.environ["SNB_FINAL_HEIGHT"] = str(FINAL)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return where


def hexkey(rnd: random.Random) -> str:
    return rnd.randbytes(32).hex()


def synthetic_snapshot(rnd: random.Random, addresses: list[str]) -> list[dict[str, Any]]:
    """2,000 entries with the fields the capture requests, 1–10 contributors each."""
    states = []
    for _ in range(NODES):
        count = rnd.randint(1, 10)
        amounts = [15_000 * OXEN // count] * count
        amounts[0] += 15_000 * OXEN - sum(amounts)
        contributors = []
        for amount in amounts:
            address = rnd.choice(addresses)
            contributors.append({"address": address, "amount": amount, "reserved": amount, "locked_contributions": [
                {"key_image": hexkey(rnd), "key_image_pub_key": hexkey(rnd), "amount": amount}]})
        states.append({
            "service_node_pubkey": hexkey(rnd), "registration_height": START - rnd.randrange(100_000),
            "requested_unlock_height": 0, "active": True, "funded": True, "state_height": START - 10,
            "earned_downtime_blocks": 1440, "staking_requirement": 15_000 * OXEN,
            "total_contributed": 15_000 * OXEN, "total_reserved": 15_000 * OXEN,
            "portions_for_operator": 1844674407370955161, "operator_address": contributors[0]["address"],
            "contributors": contributors, "pubkey_ed25519": hexkey(rnd), "last_uptime_proof": 1_695_600_000,
        })
    return states


def result_at(height: int, states: list[dict[str, Any]]) -> dict[str, Any]:
    return {"height": height, "block_hash": f"{height:064x}", "hardfork": 19, "status": "OK",
            "service_node_states": states}


def timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def changed_states(rnd: random.Random, states: list[dict[str, Any]], addresses: list[str]) -> list[dict[str, Any]]:
    """10 % of nodes change: a quarter each decommissioned, replaced (leave + join), or restaked."""
    new = [dict(entry) for entry in states]
    for index in rnd.sample(range(len(new)), len(new) // 10):
        kind = index % 4
        entry = dict(new[index])
        if kind == 0:
            entry["active"] = not entry["active"]
        elif kind == 1:
            entry = {**entry, "service_node_pubkey": hexkey(rnd)}  # one node leaves, another joins
        else:
            entry["contributors"] = [{**c, "amount": c["amount"] + OXEN} for c in entry["contributors"]]
        new[index] = entry
    return new


def bench_ingest(rnd: random.Random, repeats: int) -> None:
    from bonuses.models import ServiceNodeSnapshot
    from bonuses.services.ingest import ingest_snapshot
    from swap.core.payload_codec import encode_keyframe
    from swap.core.snapshot_format import parse_snapshot

    empty_tables()
    addresses = [f"L{i:06d}" for i in range(12_000)]
    states = synthetic_snapshot(rnd, addresses)
    height = START
    first = result_at(height, states)
    parsed = parse_snapshot(first)
    print(f"snapshot: {NODES:,} nodes, {len(parsed.stakes):,} earning stakes, canonical JSON "
          f"{len(parsed.canonical) / 1e6:.2f} MB, compressed whole (a keyframe) "
          f"{len(encode_keyframe(parsed.canonical)) / 1e6:.2f} MB")
    first_ms = timed(lambda: ingest_snapshot(first, source="live"))
    print(f"  first ingest (creates every node and interval)  {first_ms:8.1f} ms")

    unchanged, changed, all_changed = [], [], []
    unchanged_from = height + 1
    for _ in range(repeats):
        height += 1
        touched = [{**entry, "last_uptime_proof": entry["last_uptime_proof"] + height} for entry in states]
        unchanged.append(timed(lambda h=height, s=touched: ingest_snapshot(result_at(h, s), source="live")))
        states = touched
    for _ in range(repeats):
        height += 1
        states = changed_states(rnd, states, addresses)
        changed.append(timed(lambda h=height, s=states: ingest_snapshot(result_at(h, s), source="live")))
    for _ in range(max(1, repeats // 2)):
        height += 1
        states = [{**entry, "contributors": [{**c, "amount": c["amount"] + OXEN} for c in entry["contributors"]]}
                  for entry in states]
        all_changed.append(timed(lambda h=height, s=states: ingest_snapshot(result_at(h, s), source="live")))
    touched = [{**entry, "last_uptime_proof": entry["last_uptime_proof"] + 1} for entry in states]
    payload_ms = statistics.median(
        timed(lambda: parse_snapshot(result_at(height + 1, touched))) for _ in range(repeats)
    )
    for label, samples, goal in (("unchanged", unchanged, "< 50 ms"), ("10 % of nodes changed", changed, "< 500 ms"),
                                 ("every stake changed", all_changed, "")):
        print(f"  ingest, {label:<22} median {statistics.median(samples):8.1f} ms  "
              f"(min {min(samples):.1f}, max {max(samples):.1f}, n={len(samples)})  {goal}")
    print(f"    of which parsing (canonical JSON, sha256, stakes, node facts, digests), no database: "
          f"{payload_ms:.1f} ms")
    stored = ServiceNodeSnapshot.objects.order_by("height")
    sizes = [len(payload) for payload in stored.filter(height__gte=unchanged_from).values_list("payload", flat=True)]
    keyframes = stored.filter(payload_base__isnull=True).count()
    per_snapshot = statistics.mean(sizes[:repeats])
    print(f"  ({stored.count()} snapshots stored, {keyframes} of them whole; an unchanged one is a delta of "
          f"{per_snapshot / 1e3:,.1f} kB: at one per block, {BLOCKS:,} blocks of them take "
          f"{per_snapshot * BLOCKS / 1e9:,.1f} GB; the largest delta stored is {max(sizes) / 1e3:,.1f} kB)")


def empty_tables() -> None:
    """Start from empty bonus and registration tables (a reused PostgreSQL bench database keeps rows)."""
    from django.db import connection

    from bonuses.models import ServiceNode, ServiceNodeSnapshot, SnapshotGap, StakeInterval
    from swap.registrations.models import Registration

    tables = [model._meta.db_table for model in (StakeInterval, SnapshotGap, ServiceNode, ServiceNodeSnapshot,
                                                 Registration)]
    with connection.cursor() as cursor:  # raw: registrations refuse deletes through the ORM, by design
        for table in tables:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - our own table names
        if connection.vendor == "postgresql":  # else the last run's 300,000 dead rows slow every index scan
            for table in tables:
                cursor.execute(f"VACUUM ANALYZE {table}")


def load_recompute_data(rnd: random.Random) -> None:
    """50,000 intervals over 300,000 blocks, 10,000 registrations, a (payload-less) snapshot row per block."""

    from bonuses.models import ServiceNode, ServiceNodeSnapshot, StakeInterval
    from swap.registrations.models import Registration

    empty_tables()
    nodes = ServiceNode.objects.bulk_create([
        ServiceNode(pubkey=f"{i:064x}", state="active", first_seen_height=START, listed_since_height=START,
                    updated_height=START, listings=[[START, None, None]]) for i in range(5_000)], batch_size=1000)
    addresses = [f"L{i:06d}" for i in range(12_000)]  # 10,000 of them registered
    rows = []
    for i in range(INTERVALS):
        low = rnd.randrange(START - 20_000, FINAL)
        high = rnd.choice([None, min(FINAL + 10_000, low + rnd.randrange(1, 100_000))])
        rows.append(StakeInterval(oxen_address=addresses[i % len(addresses)], node=nodes[i % len(nodes)],
                                  amount_atomic=rnd.randrange(1, 15_000) * OXEN, from_height=low, to_height=high))
    StakeInterval.objects.bulk_create(rows, batch_size=2000)
    begin = int(datetime(2023, 9, 25, tzinfo=UTC).timestamp())
    ServiceNodeSnapshot.objects.bulk_create([
        ServiceNodeSnapshot(
            height=h, block_hash=f"{h:064x}", block_timestamp=begin + 120 * (h - START),
            block_time_high=begin + 120 * (h - START),
            source="import", sha256="0" * 64, payload=b"", payload_codec="zlib", payload_bytes=0, provisional=False,
            finalized_at=datetime(2023, 9, 25, tzinfo=UTC),
            node_count=0, earning_stake_count=0, earning_total_atomic=0, stakes_digest="", nodes_digest="",
        )
        for h in range(START, FINAL + 1)], batch_size=5000)
    cutoff = datetime(2024, 2, 1, tzinfo=UTC)
    Registration.objects.bulk_create([
        Registration(oxen_address=addresses[i], eth_address=f"0x{rnd.randrange(8_000):040x}", signature="SigV1-bench",
                     signed_message="bench", matched_form="eip55",
                     created_at=cutoff - timedelta(days=rnd.randrange(1, 120)) if i % 5 else
                     cutoff + timedelta(minutes=rnd.randrange(0, 400_000)))
        for i in range(REGISTERED)], batch_size=2000)


def bench_recompute(rnd: random.Random, repeats: int) -> None:
    from bonuses.services.allocations import allocation_rows, compute_bonus, earn_from_heights, window_intervals
    from swap.core.bonus_allocation import allocate_bonus
    from swap.registrations.services import registered_addresses

    load_recompute_data(rnd)
    print(f"recompute: {INTERVALS:,} intervals, {REGISTERED:,} registered addresses (1 in 5 after the cut-off), "
          f"{BLOCKS:,} blocks, {BLOCKS + 1:,} snapshot rows")
    full = [timed(lambda: allocation_rows(compute_bonus())) for _ in range(repeats)]
    intervals = window_intervals(START, FINAL)
    registered = registered_addresses()
    earn_from = earn_from_heights(registered)
    eth_of = {row.oxen_address: row.eth_address for row in registered}
    stages = {
        "load intervals": timed(lambda: window_intervals(START, FINAL)),
        "load registrations": timed(registered_addresses),
        "earn-from heights": timed(lambda: earn_from_heights(registered)),
    }

    def pure() -> Any:
        return allocate_bonus(intervals, earn_from=earn_from, eth_of=eth_of, start_height=START, final_height=FINAL,
                              at_height=FINAL)

    stages["accrual + split (pure)"] = min(timed(pure) for _ in range(repeats))
    best = min(full)
    print(f"  full recompute (DB reads + accrual + split + rows) median {statistics.median(full):8.1f} ms  "
          f"(min {best:.1f}, n={len(full)})  goal < 2,000 ms")
    for label, ms in stages.items():
        print(f"    {label:<24} {ms:8.1f} ms")

    sample_start = START + BLOCKS // 2
    sample = range(sample_start, sample_start + NAIVE_SAMPLE)

    def naive() -> dict[str, int]:
        totals: dict[str, int] = defaultdict(int)
        for height in sample:
            for address, _node, amount, low, high in intervals:
                begin = earn_from.get(address)
                if begin is not None and begin <= height and low <= height and (high is None or height < high):
                    totals[address] += amount
        return totals

    started = time.perf_counter()
    naive_totals = naive()
    naive_ms = (time.perf_counter() - started) * 1000
    window = allocate_bonus(intervals, earn_from=earn_from, eth_of=eth_of, start_height=sample.start,
                            final_height=sample.stop, at_height=sample.stop)
    agree = window.stake_blocks_by_address == {a: v for a, v in naive_totals.items() if v}
    extrapolated = naive_ms * BLOCKS / NAIVE_SAMPLE
    print(f"  naive per-block loop: {NAIVE_SAMPLE:,} blocks in {naive_ms:,.0f} ms → {BLOCKS:,} blocks ≈ "
          f"{extrapolated / 1000:,.0f} s (same stake-blocks on the sample: {agree})")
    print(f"  ratio naive / interval arithmetic (pure): {extrapolated / stages['accrual + split (pure)']:,.0f}×; "
          f"naive / full recompute: {extrapolated / best:,.0f}×")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    options = parser.parse_args()
    where = setup_django()
    print(f"database: {where}")
    rnd = random.Random(options.seed)
    bench_ingest(rnd, options.repeats)
    bench_recompute(rnd, options.repeats)


if __name__ == "__main__":
    main()
