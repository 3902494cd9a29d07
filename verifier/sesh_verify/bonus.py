"""The Service Node Bonus from the snapshots: digests, stake intervals, gaps, backdating, the split."""

from __future__ import annotations

import csv
import gc
import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import orjson

from sesh_verify.bundle import Bundle
from sesh_verify.entries import Entry
from sesh_verify.errors import Broken, amount
from sesh_verify.registrations import Registration, _time, in_force
from swap.core import bundle_format as fmt
from swap.core import payload_codec
from swap.core.bonus_allocation import (
    StakeInterval,
    StakeKey,
    allocate_bonus,
    earn_from_height,
    interval_changes,
)
from swap.core.snapshot_format import SnapshotFormatError, read_snapshot

CHECK = "snapshots"


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Reading a 4 MB result makes ~100,000 objects and no cycle: the cycle collector only costs time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _canonical(bundle: Bundle, record: dict[str, Any], keyframes: dict[int, bytes],
               decoder: payload_codec.Decoder) -> bytes:
    """The canonical JSON of one snapshot, expanded from its stored payload (a delta needs its keyframe)."""
    where = f"snapshot {record['height']} ({record['file']})"
    base = None
    if record["base"] is not None:
        base = keyframes.get(record["base"])
        if base is None:
            raise Broken(CHECK, where, f"its keyframe {record['base']} is not an earlier whole snapshot of the bundle")
    try:
        return decoder.decode(bundle.files[record["file"]], record["codec"], base)
    except Exception as error:  # noqa: BLE001 - whatever the codec raises, the payload does not expand
        raise Broken(CHECK, where, f"does not expand ({type(error).__name__}: {error})") from None


def replay_snapshots(bundle: Bundle) -> tuple[list[StakeInterval], list[tuple[datetime, int]], list[int], str]:
    """Every snapshot checked against its recorded digest, and the intervals ingestion derives from them.

    Returns (intervals, (block time high, height) for backdating, heights, summary).
    """
    records = bundle.manifest["snapshots"]
    decoder = payload_codec.Decoder()
    keyframes: dict[int, bytes] = {}
    open_stakes: dict[StakeKey, int] = {}
    opened_at: dict[StakeKey, int] = {}
    intervals: list[StakeInterval] = []
    times: list[tuple[datetime, int]] = []
    heights: list[int] = []
    time_high: int | None = None
    for record in records:
        height, where = record["height"], f"snapshot {record['height']}"
        if heights and height <= heights[-1]:
            raise Broken(CHECK, where, f"listed after snapshot {heights[-1]}: heights must increase")
        canonical = _canonical(bundle, record, keyframes, decoder)
        # The recorded sha256 is of the canonical bytes the service stored: equal digests, same bytes.
        if fmt.sha256_hex(canonical) != record["sha256"]:
            raise Broken(CHECK, where, f"its JSON's sha256 is not the recorded {record['sha256']}")
        try:
            with _gc_paused():
                parsed = read_snapshot(orjson.loads(canonical))
        except (SnapshotFormatError, orjson.JSONDecodeError) as error:
            raise Broken(CHECK, where, f"not a usable get_service_nodes result: {error}") from None
        if (parsed.height, parsed.block_hash) != (height, record["block_hash"]):
            raise Broken(CHECK, where, f"holds height {parsed.height} block {parsed.block_hash}, "
                                       f"not {height} {record['block_hash']}")
        if record["base"] is None:
            keyframes = {height: canonical}  # deltas refer to the latest keyframe before them
        changes = interval_changes(open_stakes, parsed.stakes, height)
        for key in changes.close:
            intervals.append(StakeInterval(key[0], key[1], open_stakes.pop(key), opened_at.pop(key), height))
        for key, value in changes.opened.items():
            open_stakes[key], opened_at[key] = value, height
        timestamp = record["block_timestamp"]
        time_high = timestamp if time_high is None else (time_high if timestamp is None else max(time_high, timestamp))
        if time_high is not None:
            times.append((datetime.fromtimestamp(time_high, UTC), height))
        heights.append(height)
    intervals.extend(StakeInterval(key[0], key[1], value, opened_at[key], None) for key, value in open_stakes.items())
    return intervals, times, heights, f"{len(records)} snapshots expanded and matched to their sha256"


def check_snapshot_digests(bundle: Bundle) -> None:
    """The published `bonus-snapshots.csv` lists every snapshot of the bundle, as final, with its digests."""
    rows = list(csv.reader(io.StringIO(bundle.text(fmt.BONUS_SNAPSHOTS), newline="")))
    if not rows or rows[0] != ["height", "block_hash", "sha256", "final"]:
        raise Broken(fmt.BONUS_SNAPSHOTS, "line 1", "the header is not height,block_hash,sha256,final")
    final = {}
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != 4 or row[3] not in ("true", "false") or not row[0].isdigit():
            raise Broken(fmt.BONUS_SNAPSHOTS, f"line {number}", "not height,block_hash,sha256,final")
        if row[3] == "true":
            final[int(row[0])] = (row[1], row[2])
    shipped = {r["height"]: (r["block_hash"], r["sha256"]) for r in bundle.manifest["snapshots"]}
    for height in sorted(set(final) | set(shipped)):
        if final.get(height) != shipped.get(height):
            raise Broken(fmt.BONUS_SNAPSHOTS, f"snapshot {height}",
                         f"published as {final.get(height)}, in the bundle as {shipped.get(height)}")


def gaps(heights: list[int], start: int, final: int, limit: int) -> list[tuple[int, int]]:
    """Stretches between snapshots (the first from the program start) longer than `limit`, inside the program."""
    found, previous = [], start
    for height in heights:
        if height > start and previous < final and height - previous > limit:
            found.append((previous, height))
        previous = max(previous, height)
    return found


def check_bonus(bundle: Bundle, registrations: dict[int, Registration], entries: list[Entry]) -> list[str]:
    """Stake-blocks per registered address from the snapshots, then the split, against the published files."""
    params = bundle.manifest["parameters"]["bonus"]
    start, final, pool = params["start_height"], params["final_height"], amount(params["pool_atomic"], "pool",
                                                                               "bonus", "manifest")
    check_snapshot_digests(bundle)
    intervals, times, heights, replayed = replay_snapshots(bundle)
    holds = params["holds_bonus"]
    cutoff = _time(bundle.manifest["cutoff"], "manifest", "cutoff")
    paid_at = _time(params["registrations_at"], "manifest", "bonus registrations_at") if holds else cutoff
    if holds:
        at_height = params["at_height"]
        if at_height not in heights or at_height < final:
            raise Broken("bonus", f"at_height {at_height}", f"not a snapshot of the bundle at or past the final "
                                                           f"height {final}: the bonus cannot be in this round yet")
    else:
        at_height = min(heights[-1], final) if heights else start
    registered = in_force(registrations, paid_at)
    backdate = _time(params["backdate_cutoff"], "manifest", "backdate_cutoff")
    earn_from: dict[str, int] = {}
    for address, (_row, first) in registered.items():
        height = earn_from_height(first, cutoff=backdate, program_start_height=start, snapshots=times)
        if height is not None:
            earn_from[address] = height
    allocation = allocate_bonus(intervals, earn_from=earn_from, eth_of={a: r.eth_address for a, (r, _) in
                                                                         registered.items()},
                                start_height=start, final_height=final, at_height=at_height, pool_atomic=pool)
    inputs = list(csv.reader(io.StringIO(bundle.text(fmt.BONUS_INPUTS), newline="")))
    if not inputs or inputs[0] != ["oxen_address", "eth_address", "stake_blocks"]:
        raise Broken(fmt.BONUS_INPUTS, "line 1", "the header is not oxen_address,eth_address,stake_blocks")
    published: dict[str, tuple[int, list[str]]] = {}
    for number, row in enumerate(inputs[1:], start=2):
        if len(row) != 3 or row[0] in published:
            raise Broken(fmt.BONUS_INPUTS, f"line {number}", "not one oxen_address,eth_address,stake_blocks row "
                                                            "per address")
        published[row[0]] = (number, row)
    expected = {address: [address, registered[address][0].eth_address,
                          str(allocation.stake_blocks_by_address.get(address, 0))] for address in registered} \
        if holds else {}
    for address in sorted(set(published) | set(expected)):
        number, row = published.get(address, (None, None))
        if row != expected.get(address):
            where = f"line {number} " if number is not None else ""
            computed = expected.get(address)
            raise Broken(fmt.BONUS_INPUTS, f"{where}({address[:6]}…{address[-6:]})",
                         f"publishes {row[1:] if row else 'no row'}; the snapshots and registrations give "
                         f"{computed[1:] if computed else 'no registered address'}")
    if [row[0] for row in inputs[1:]] != sorted(published):
        raise Broken(fmt.BONUS_INPUTS, "rows", "not in the order of their Oxen addresses")
    published_split = {entry.eth_address.lower(): entry.bonus for entry in entries if entry.bonus}
    computed_split = {eth: sesh for eth, sesh in allocation.sesh_by_eth.items() if sesh} if holds else {}
    for eth in sorted(set(published_split) | set(computed_split)):
        if published_split.get(eth, 0) != computed_split.get(eth, 0):
            raise Broken("bonus split", eth, f"bonus {published_split.get(eth, 0)} in the round, "
                                             f"{computed_split.get(eth, 0)} by largest remainder of "
                                             f"{allocation.stake_blocks_by_eth.get(eth, 0)} stake-blocks")
    flagged = gaps(heights, start, final, params["gap_blocks"])
    earning = len(allocation.stake_blocks_by_address)
    lines = [replayed + f"; {len(intervals)} stake intervals; {len(flagged)} gap(s) over {params['gap_blocks']} "
                        f"blocks (" + (", ".join(f"{a}→{b}" for a, b in flagged[:3]) or "none") + ")",
             f"stake-blocks over [{allocation.start_height}, {allocation.end_height}) for {earning} of "
             f"{len(registered)} registered addresses (backdating cut-off {params['backdate_cutoff']})"]
    if holds:
        lines.append(f"bonus split of {pool} atomic SESH over {len(computed_split)} ETH addresses by largest "
                     f"remainder = the round's bonus column and {fmt.BONUS_INPUTS}")
    else:
        lines.append("the round holds no bonus (the program's end is not final yet): bonus column all zero")
    return lines
