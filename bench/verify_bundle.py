"""sesh-verify on a round bundle of mainnet size, on one core: how long a stranger waits.

    .venv/bin/python bench/verify_bundle.py [--snapshots 416] [--registrations 50000] [--seed 19]
                                            [--sample 1000 | --all]

Pure (no Django, no database): the bundle is written with the service's own pure modules, as
`swap.bundles` writes it at freeze, then verified by the `sesh_verify` package (issue 19) pinned
to one CPU. Scale: 2,000 service nodes with 1–10 contributors each (about 2 KB of JSON per node,
about 4 MB per snapshot, as the capture stores them), a counting window of 300,000 blocks,
50,000 registrations with real SigV1 signatures (10 % registered after the backdating cut-off,
1 % of them switched ETH address), 20,000 coin-claim credits; snapshots spread evenly over the
window, stored as the service stores them (zstd keyframes and deltas) with their stake-change
log, 1 % of the nodes changing between two snapshots. Goal: the whole verification in under
60 s on one core.

Times are CPU seconds of this process (what one core spends, whatever else the machine runs),
with wall seconds beside them. The baseline, measured in the same run, is "read + sha256": unpacking
the archive and hashing every member once, the floor any verifier pays. Nothing is asserted.

The service captures a snapshot per block (about 300,000 over the window). The last line walks the
same stake history at that cadence (a log line and a record per block; measured) and adds the
default sample's checks at the measured cost of one, for the figure a stranger would see then.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "verifier")]

from sesh_verify.bundle import Bundle, load  # noqa: E402
from sesh_verify.checks import verify_bundle  # noqa: E402
from sesh_verify.registrations import check_registrations  # noqa: E402
from sesh_verify.snapshots import DEFAULT_SAMPLE, Selection, replay_snapshots  # noqa: E402

from swap.core import bundle_format as fmt  # noqa: E402
from swap.core import payload_codec  # noqa: E402
from swap.core.bonus_allocation import allocate_bonus, earn_from_height, interval_changes  # noqa: E402
from swap.core.claims_allocation import Supply, claims_rate, credit_atomic  # noqa: E402
from swap.core.cryptonote_keys import hash_to_scalar, keys_from_spend_secret  # noqa: E402
from swap.core.eth_address import to_checksum_address  # noqa: E402
from swap.core.merkle import StandardMerkleTree  # noqa: E402
from swap.core.oxen_address import AddressKind, Network, OxenAddress, encode_address  # noqa: E402
from swap.core.oxen_signature import COMMITMENT_BACKEND, sign_message  # noqa: E402
from swap.core.snapshot_format import parse_snapshot  # noqa: E402
from swap.core.stake_changes import log_records  # noqa: E402

OXEN = 10**9
POOL = 30_000_000 * OXEN
NODES, BLOCKS, CREDITS = 2_000, 300_000, 20_000
START, FINAL = 1_417_199, 1_417_199 + BLOCKS
GENESIS = datetime(2023, 9, 25, tzinfo=UTC)
BACKDATE = GENESIS + timedelta(days=120)


def block_time(height: int) -> datetime:
    return GENESIS + timedelta(seconds=120 * (height - START))


def iso(moment: datetime) -> str:
    return moment.isoformat()


def wallets(count: int, rnd: random.Random) -> list[tuple[str, bytes]]:
    out = []
    for index in range(count):
        keys = keys_from_spend_secret(hash_to_scalar(f"bench-verify:{index}".encode()))
        address = encode_address(OxenAddress(Network.MAINNET, AddressKind.STANDARD, keys.spend_public,
                                             keys.view_public))
        out.append((address, keys.spend_secret))
    return out


def registrations(holders: list[tuple[str, bytes]], eths: list[str], rnd: random.Random) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for index, (address, secret) in enumerate(holders):
        late = index % 10 == 0
        created = block_time(START + rnd.randrange(BLOCKS // 2)) if late else BACKDATE - timedelta(days=30,
                                                                                                    seconds=index)
        eth = eths[index % len(eths)]
        rows.append({"id": len(rows) + 1, "oxen_address": address, "eth_address": eth, "signed_message": eth,
                     "signature": sign_message(eth.encode(), secret), "matched_form": "eip55", "signed_at": None,
                     "node_pubkey": "", "node_signature": "", "created_at": iso(created), "replaces": None,
                     "superseded_at": None})
        if index % 100 == 1:  # switched ETH address once
            other = eths[(index + 7) % len(eths)]
            later = created + timedelta(days=3)
            rows[-1]["superseded_at"] = iso(later)
            rows.append({"id": len(rows) + 1, "oxen_address": address, "eth_address": other,
                         "signed_message": other.lower(), "signature": sign_message(other.lower().encode(), secret),
                         "matched_form": "lowercase", "signed_at": None, "node_pubkey": "", "node_signature": "",
                         "created_at": iso(later), "replaces": rows[-1]["id"], "superseded_at": None})
    rows.sort(key=lambda row: (row["oxen_address"], row["created_at"], row["id"]))
    return rows


def node_entry(pubkey: str, contributors: list[tuple[str, int]], height: int, rnd: random.Random) -> dict[str, Any]:
    """One get_service_nodes entry with the capture's fields: about 2 KB of JSON."""
    return {
        "service_node_pubkey": pubkey, "active": True, "funded": True, "requested_unlock_height": 0,
        "registration_height": START - 5_000, "state_height": START - 5_000, "operator_address": contributors[0][0],
        "staking_requirement": 15_000 * OXEN, "portions_for_operator": 18446744073709551612 // 10,
        "last_reward_block_height": height - rnd.randrange(2_000), "last_uptime_proof": 1_700_000_000 + height * 120,
        "swarm_id": rnd.getrandbits(64), "public_ip": f"10.{rnd.randrange(256)}.{rnd.randrange(256)}.1",
        "storage_port": 22021, "storage_lmq_port": 22020, "quorumnet_port": 22025,
        "pubkey_ed25519": pubkey, "pubkey_x25519": pubkey[::-1],
        "service_node_version": [10, 4, 1], "storage_server_version": [2, 6, 0], "lokinet_version": [0, 9, 11],
        "contributors": [{"address": address, "amount": amount, "reserved": amount,
                          "locked_contributions": [{"key_image": f"{abs(hash((pubkey, address))):064x}"[:64],
                                                    "amount": amount}]}
                         for address, amount in contributors],
    }


def snapshot_states(rnd: random.Random, stakers: list[str]) -> dict[str, list[tuple[str, int]]]:
    nodes = {}
    for index in range(NODES):
        count = rnd.randint(1, 10)
        amounts = [15_000 * OXEN // count] * count
        amounts[0] += 15_000 * OXEN - sum(amounts)
        nodes[f"{index:064x}"] = [(rnd.choice(stakers), amount) for amount in amounts]
    return nodes


def build(args: argparse.Namespace, workdir: Path) -> tuple[Path, dict[str, Any]]:
    rnd = random.Random(args.seed)
    started = time.perf_counter()
    holders = wallets(args.registrations, rnd)
    eths = [to_checksum_address(rnd.randbytes(20)) for _ in range(args.registrations * 4 // 5)]
    regs = registrations(holders, eths, rnd)
    addresses = [address for address, _ in holders]
    stakers = addresses + [f"unregistered-{i}" for i in range(args.registrations // 10)]
    nodes = snapshot_states(rnd, stakers)
    files: dict[str, bytes] = {fmt.REGISTRATIONS: fmt.jsonl_bytes(regs)}
    records, intervals, open_stakes, opened_at = [], [], {}, {}
    keyframe: tuple[int, payload_codec.DeltaEncoder] | None = None
    for number in range(args.snapshots + 1):
        height = START + number * BLOCKS // args.snapshots  # the last one at the final height
        for pubkey in rnd.sample(sorted(nodes), NODES // 100):
            count = rnd.randint(1, 10)
            nodes[pubkey] = [(rnd.choice(stakers), 15_000 * OXEN // count) for _ in range(count)]
        result = {"height": height, "block_hash": f"{height:064x}", "status": "OK", "hardfork": 19,
                  "service_node_states": [node_entry(pk, cs, height, rnd) for pk, cs in nodes.items()]}
        parsed = parse_snapshot(result)
        changes = interval_changes(open_stakes, parsed.stakes, height)
        for key in changes.close:
            intervals.append((key[0], key[1], open_stakes.pop(key), opened_at.pop(key), height))
        for key, value in changes.opened.items():
            open_stakes[key], opened_at[key] = value, height
        delta = keyframe[1].encode(parsed.canonical) if keyframe is not None else None
        if delta is not None and len(delta) <= len(parsed.canonical) // payload_codec.DELTA_LIMIT_DIVISOR:
            codec, payload, base = payload_codec.ZSTD, delta, keyframe[0]  # type: ignore[index]
        else:
            codec, payload, base = payload_codec.ZSTD, payload_codec.encode_keyframe(parsed.canonical), None
            keyframe = (height, payload_codec.DeltaEncoder(parsed.canonical))
        path = fmt.snapshot_file(height, codec, base)
        files[path] = payload
        records.append({"height": height, "block_hash": parsed.block_hash,
                        "block_timestamp": int(block_time(height).timestamp()), "captured_at": iso(block_time(height)),
                        "sha256": parsed.sha256, "bytes": len(parsed.canonical), "codec": codec, "base": base,
                        "file": path})
    intervals.extend((k[0], k[1], v, opened_at[k], None) for k, v in open_stakes.items())
    files[fmt.STAKE_CHANGES] = fmt.jsonl_bytes(log_records(intervals, [record["height"] for record in records]))
    snapshot_seconds = time.perf_counter() - started
    # The bonus, as the service computes it (the same pure functions).
    current = {row["oxen_address"]: row for row in regs if row["superseded_at"] is None}
    first = {}
    for row in regs:
        first.setdefault(row["oxen_address"], datetime.fromisoformat(row["created_at"]))
    times, high = [], None
    for record in records:
        high = record["block_timestamp"] if high is None else max(high, record["block_timestamp"])
        times.append((datetime.fromtimestamp(high, UTC), record["height"]))
    earn_from = {a: h for a in current if (h := earn_from_height(first[a], cutoff=BACKDATE, program_start_height=START,
                                                                 snapshots=times)) is not None}
    from swap.core.bonus_allocation import StakeInterval

    allocation = allocate_bonus([StakeInterval(*i) for i in intervals], earn_from=earn_from,
                                eth_of={a: r["eth_address"] for a, r in current.items()}, start_height=START,
                                final_height=FINAL, at_height=records[-1]["height"], pool_atomic=POOL)
    files[fmt.BONUS_INPUTS] = ("oxen_address,eth_address,stake_blocks\n" + "".join(
        f"{a},{current[a]['eth_address']},{allocation.stake_blocks_by_address.get(a, 0)}\n"
        for a in sorted(current))).encode()
    files[fmt.BONUS_SNAPSHOTS] = ("height,block_hash,sha256,final\n" + "".join(
        f"{r['height']},{r['block_hash']},{r['sha256']},true\n" for r in records)).encode()
    # Coin claims: one claim per credit's holder, every credit at the supply snapshot's rate.
    supply = Supply(65_000_000 * OXEN, OXEN, (4_000_000 * OXEN,))
    rate = claims_rate(POOL, supply)
    by_id = {}
    for row in regs:
        by_id.setdefault(row["oxen_address"], row)
    claim_rows, credit_rows, claims_by_eth = [], [], defaultdict(int)
    for index in range(CREDITS):
        holder = regs[index * len(regs) // CREDITS]
        claim_id = f"00000000-0000-4000-8000-{index:012x}"
        claim_rows.append({"kind": "claim", "claim_id": claim_id, "oxen_address": holder["oxen_address"],
                           "eth_address": holder["eth_address"], "registration_id": holder["id"],
                           "subaddress": f"sub-{index}", "account_index": 1, "address_index": index + 1,
                           "created_at": iso(GENESIS)})
        oxen = rnd.randrange(OXEN, 5_000 * OXEN)
        sesh = credit_atomic(oxen, rate, Fraction(1))
        credit_rows.append({"kind": "credit", "claim_id": claim_id, "eth_address": holder["eth_address"],
                            "txid": f"{index:064x}", "account_index": 1, "address_index": index + 1,
                            "output_count": 1, "amount_oxen_atomic": str(oxen), "rate_num": str(rate.numerator),
                            "rate_den": str(rate.denominator), "multiplier_num": "1", "multiplier_den": "1",
                            "wanted_sesh_atomic": str(sesh), "sesh_atomic": str(sesh), "capped": False,
                            "block_height": 5_000 + index, "block_timestamp": int(GENESIS.timestamp()) + index,
                            "credited_height": 5_010 + index, "created_at": iso(GENESIS + timedelta(seconds=index))})
        claims_by_eth[holder["eth_address"]] += sesh
    files[fmt.CLAIMS] = fmt.jsonl_bytes(claim_rows + credit_rows)
    display = {row["eth_address"].lower(): row["eth_address"] for row in regs}
    bonus_by_eth = {display[eth]: amount for eth, amount in allocation.sesh_by_eth.items() if amount}
    accounts = sorted(set(bonus_by_eth) | set(claims_by_eth), key=str.lower)
    tree = StandardMerkleTree.of((a, bonus_by_eth.get(a, 0) + claims_by_eth.get(a, 0)) for a in accounts)
    files[fmt.DUMP] = tree.dumps().encode("ascii")
    files[fmt.ENTRIES] = ("eth_address,cumulative_sesh_atomic,bonus_atomic,claims_atomic\n" + "".join(
        f"{a},{bonus_by_eth.get(a, 0) + claims_by_eth.get(a, 0)},{bonus_by_eth.get(a, 0)},{claims_by_eth.get(a, 0)}\n"
        for a in sorted(accounts))).encode()
    cutoff = iso(block_time(FINAL) + timedelta(days=1))
    manifest = {
        "format": fmt.FORMAT, "round": 1, "cutoff": cutoff, "root": tree.root_hex, "count": len(tree),
        "total_atomic": str(tree.total), "bonus_total_atomic": str(sum(bonus_by_eth.values())),
        "claims_total_atomic": str(sum(claims_by_eth.values())), "dump_sha256": fmt.sha256_hex(files[fmt.DUMP]),
        "previous_round": None,
        "parameters": {
            "oxen_network": "mainnet",
            "registration": {"replay_window_seconds": 86_400, "clock_skew_seconds": 300},
            "bonus": {"pool_atomic": str(POOL), "start_height": START, "final_height": FINAL,
                      "backdate_cutoff": iso(BACKDATE), "gap_blocks": 30, "holds_bonus": True, "pinned_round": 1,
                      "registrations_at": cutoff, "at_height": records[-1]["height"]},
            "claims": {"pool_atomic": str(POOL), "supply_snapshot": {
                "height": 100, "block_hash": "ab" * 32, "emission_atomic": str(supply.emission_atomic),
                "burned_atomic": str(supply.burned_atomic),
                "excluded": [{"address": "optf", "amount_atomic": str(4_000_000 * OXEN), "note": "OPTF"}],
                "circulating_atomic": str(supply.circulating_atomic), "pool_atomic": str(POOL),
                "rate_num": str(rate.numerator), "rate_den": str(rate.denominator)},
                "multiplier_schedule": [], "confirmations": 10, "min_deposit_atomic": str(OXEN), "account_index": 1},
        },
        "chain": {"chain_id": 42161, "distributor": "", "transactions": fmt.CHAIN},
        "snapshots": records,
        "files": {path: fmt.sha256_hex(data) for path, data in sorted(files.items())},
    }
    files[fmt.MANIFEST] = fmt.json_bytes(manifest)
    path = workdir / "round-1.bundle.tar.gz"
    path.write_bytes(fmt.pack_bytes((fmt.prefix(1) + name, data) for name, data in sorted(files.items())))
    canonical_bytes = sum(record["bytes"] for record in records)
    return path, {"build_seconds": time.perf_counter() - started, "snapshot_build_seconds": snapshot_seconds,
                  "canonical_bytes": canonical_bytes, "rows": len(regs), "accounts": len(tree),
                  "intervals": len(intervals), "keyframes": sum(1 for r in records if r["base"] is None)}


def timed(work: Any) -> tuple[Any, float, float]:
    """(result, CPU seconds of this process, wall seconds): CPU time is what one core spends, whatever the load."""
    cpu, wall = time.process_time(), time.perf_counter()
    result = work()
    return result, time.process_time() - cpu, time.perf_counter() - wall


def read_and_hash(path: Path) -> None:
    """The baseline: unpack the archive and sha256 every member once, the floor of any verifier."""
    _, files = fmt.unpack(path.read_bytes())
    for data in files.values():
        fmt.sha256_hex(data)


def at_block_cadence(bundle: Bundle) -> Bundle:
    """The same stake history captured a block apart: a snapshot record and a log line for every height.

    The bundle's own snapshots keep their payloads; those between them have none and change no
    stake (never read: the walk below checks only the first and the last, which are real).
    """
    records = bundle.manifest["snapshots"]
    lines = dict(zip((r["height"] for r in records), bundle.files[fmt.STAKE_CHANGES].splitlines(), strict=True))
    shipped = {record["height"]: record for record in records}
    all_records, all_lines, current = [], [], records[0]
    for height in range(records[0]["height"], records[-1]["height"] + 1):
        current = shipped.get(height) or {**current, "height": height, "file": "snapshots/not-shipped",
                                          "block_timestamp": int(block_time(height).timestamp())}
        all_records.append(current)
        all_lines.append(lines.get(height) or b'{"close":[],"height":%d,"open":[]}' % height)
    files = {**bundle.files, fmt.STAKE_CHANGES: b"\n".join(all_lines) + b"\n"}
    return Bundle(files, {**bundle.manifest, "snapshots": all_records}, None, "at block cadence")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--snapshots", type=int, default=416, help="snapshots over the 300,000-block window "
                        "(416: one a day, 720 blocks apart)")
    parser.add_argument("--registrations", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--all", action="store_true", help="the verifier checks every snapshot (as sesh-verify --all)")
    parser.add_argument("--sample", type=int, default=DEFAULT_SAMPLE, help="as sesh-verify --sample")
    args = parser.parse_args()
    cpu = sorted(os.sched_getaffinity(0))[0]
    os.sched_setaffinity(0, {cpu})  # one core, for the whole run
    selection = Selection(size=args.sample, seed=args.seed, every=args.all)
    count = args.snapshots + 1
    with tempfile.TemporaryDirectory(prefix="bench-verify-") as directory:
        path, built = build(args, Path(directory))
        size = path.stat().st_size
        print(f"bundle: {NODES} nodes, {BLOCKS:,} blocks, {count} snapshots "
              f"({built['keyframes']} keyframes, {built['canonical_bytes'] / 1e9:.2f} GB of canonical JSON), "
              f"{built['rows']:,} registration rows ({args.registrations:,} addresses), {CREDITS:,} credits, "
              f"{built['accounts']:,} accounts, {built['intervals']:,} stake intervals; archive {size / 1e6:.1f} MB "
              f"(built in {built['build_seconds']:.0f} s)")
        _, base_cpu, base_wall = timed(lambda: read_and_hash(path))
        report, total_cpu, total_wall = timed(lambda: verify_bundle(load(path), selection=selection))
        bundle = load(path)
        heights = [record["height"] for record in bundle.manifest["snapshots"]]
        _, reg_cpu, _ = timed(lambda: check_registrations(bundle))
        _, snap_cpu, _ = timed(lambda: replay_snapshots(bundle, selection))
        _, walk_cpu, _ = timed(lambda: replay_snapshots(bundle, Selection(size=0)))  # the first and last only
        every_block = at_block_cadence(bundle)
        _, block_walk_cpu, _ = timed(lambda: replay_snapshots(every_block, Selection(size=0)))
    checked = len(selection.indexes(heights)[0])
    per_check = max(0.0, snap_cpu - walk_cpu) / max(1, checked - 2)
    print(f"one core (cpu {cpu}); baseline \"read + sha256\" (unpack the archive, hash every member once): "
          f"{base_cpu:.2f} s CPU ({base_wall:.2f} s wall)")
    print(f"sesh-verify, every check:   {total_cpu:6.2f} s CPU ({total_wall:.2f} s wall) = "
          f"{total_cpu / base_cpu:5.1f} × baseline; goal 60 s: {'met' if total_cpu < 60 else 'MISSED'} "
          f"({total_cpu / 60:.2f} of it)")
    print(f"  registrations (SigV1):    {reg_cpu:6.2f} s CPU = {reg_cpu / base_cpu:5.1f} × baseline "
          f"({reg_cpu / built['rows'] * 1e6:.0f} µs a row; signatures: {COMMITMENT_BACKEND})")
    print(f"  snapshots, {checked} of {count} checked: {snap_cpu:6.2f} s CPU = {snap_cpu / base_cpu:5.1f} × baseline "
          f"({per_check * 1e3:.1f} ms to expand, hash and read one); the log alone: {walk_cpu:.2f} s")
    at_block = total_cpu - snap_cpu + block_walk_cpu + DEFAULT_SAMPLE * per_check
    print(f"  at a snapshot a block ({len(every_block.manifest['snapshots']):,} snapshots, the same stake history): "
          f"the log walked in {block_walk_cpu:.2f} s CPU (measured); with the default sample of {DEFAULT_SAMPLE:,} "
          f"checked, the verifier would take about {at_block:.0f} s CPU, reading the round by URL (only the checked "
          f"payloads fetched; --all: {len(every_block.manifest['snapshots']) * per_check / 3600:.1f} h)")
    print(f"  report lines: {len(report)}; bonus: {report[[c for c, _ in report].index('bonus')][1][:150]}")


if __name__ == "__main__":
    main()
