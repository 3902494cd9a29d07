"""The snapshots behind the bonus: the stake-change log expanded, and checked against the snapshots' own bytes.

The stake intervals come from `stake-changes.jsonl` (`swap.core.stake_changes`: one line per
snapshot, the rule to expand it). Each *checked* snapshot is expanded from its stored payload
(a zstd keyframe, or a delta against one), its bytes hashed against the sha256 the service
recorded at capture, its earning stakes read with ingestion's rule, and those must equal the
log's stakes at that height. Which snapshots are checked is the `Selection`: every one when
there are no more than its size (or with `--all`), else the first, the last and those in force at
blocks drawn uniformly from the verifier's own seed, printed so the run can be repeated
(`docs/verify.md` says why that is sound).
"""

from __future__ import annotations

import secrets
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime
from random import Random
from typing import Any

import msgspec

from sesh_verify.bundle import Bundle
from sesh_verify.errors import Broken
from swap.core import bundle_format as fmt
from swap.core import payload_codec
from swap.core.bonus_allocation import StakeInterval, StakeKey
from swap.core.snapshot_format import SnapshotFormatError
from swap.core.snapshot_reading import read_stakes
from swap.core.stake_changes import StakeChangeError, expand

CHECK = "snapshots"
DEFAULT_SAMPLE = 1_000


@dataclass(frozen=True)
class Selection:
    """Which snapshots get expanded and compared: all, or `size` drawn with `seed` plus the first and last."""

    size: int = DEFAULT_SAMPLE
    seed: int | None = None
    every: bool = False

    def indexes(self, heights: list[int]) -> tuple[set[int], str]:
        """The indexes to check among snapshots at `heights` (increasing), and how they were chosen.

        A sample draws *blocks* of the window uniformly and checks the snapshot in force at each
        (the last at or before it): a snapshot is drawn in proportion to the blocks it stands
        for, which is what its stakes are worth. Draws may repeat, so fewer may be checked.
        """
        count = len(heights)
        if self.every or count <= self.size + 2:
            return set(range(count)), "every snapshot"
        seed = secrets.randbits(64) if self.seed is None else self.seed
        # Reproducible from the printed seed on purpose; the seed itself comes from the OS's CSPRNG.
        rnd = Random(seed)  # noqa: S311
        drawn = {bisect_right(heights, rnd.randrange(heights[0], heights[-1])) - 1 for _ in range(self.size)}
        return drawn | {0, count - 1}, (f"the first, the last and those in force at {self.size} blocks drawn with "
                                        f"--seed {seed}; --all checks every one")


class _Payloads:
    """Expands stored payloads to canonical bytes checked against their recorded sha256; keeps the latest keyframe."""

    def __init__(self, bundle: Bundle) -> None:
        self.bundle = bundle
        self.by_height = {record["height"]: record for record in bundle.manifest["snapshots"]}
        self.decoder = payload_codec.Decoder()
        self.keyframe: tuple[int, bytes] | None = None

    def canonical(self, record: dict[str, Any]) -> bytes:
        where = f"snapshot {record['height']} ({record['file']})"
        base = None
        if record["base"] is not None:
            keyframe = self.by_height.get(record["base"])
            if keyframe is None or keyframe["base"] is not None or record["base"] >= record["height"]:
                raise Broken(CHECK, where, f"its keyframe {record['base']} is not an earlier whole snapshot of the "
                                           "bundle")
            if self.keyframe is None or self.keyframe[0] != keyframe["height"]:
                self.keyframe = (keyframe["height"], self.canonical(keyframe))
            base = self.keyframe[1]
        payload = self.bundle.payload(record["file"])
        if payload is None:
            raise Broken(CHECK, where, "its payload is not in the bundle")
        try:
            canonical = self.decoder.decode(payload, record["codec"], base)
        except Exception as error:  # noqa: BLE001 - whatever the codec raises, the payload does not expand
            raise Broken(CHECK, where, f"does not expand ({type(error).__name__}: {error})") from None
        # The recorded sha256 is of the canonical bytes the service stored: equal digests, same bytes.
        if fmt.sha256_hex(canonical) != record["sha256"]:
            raise Broken(CHECK, where, f"its JSON's sha256 is not the recorded {record['sha256']}")
        return canonical


def _first_difference(logged: dict[StakeKey, int], read: dict[StakeKey, int]) -> str:
    key = min(key for key in logged.keys() | read.keys() if logged.get(key) != read.get(key))
    return f"{key[0][:6]}…{key[0][-6:]} on node {key[1][:8]}…: {logged.get(key)} by the stake changes, " \
           f"{read.get(key)} in the snapshot"


def _check_snapshot(payloads: _Payloads, record: dict[str, Any], logged: dict[StakeKey, int]) -> None:
    height, where = record["height"], f"snapshot {record['height']}"
    canonical = payloads.canonical(record)
    try:
        read = read_stakes(canonical)
    except (SnapshotFormatError, ValueError) as error:  # ValueError: not JSON at all
        raise Broken(CHECK, where, f"not a usable get_service_nodes result: {error}") from None
    if (read.height, read.block_hash) != (height, record["block_hash"]):
        raise Broken(CHECK, where, f"holds height {read.height} block {read.block_hash}, "
                                   f"not {height} {record['block_hash']}")
    if read.stakes != logged:
        raise Broken(CHECK, where, f"its earning stakes are not the expanded {fmt.STAKE_CHANGES}: "
                                   + _first_difference(logged, read.stakes))


def _log_lines(bundle: Bundle) -> list[Any]:
    decoder = msgspec.json.Decoder()
    lines = []
    for number, line in enumerate(bundle.files.get(fmt.STAKE_CHANGES, b"").splitlines(), start=1):
        try:
            lines.append(decoder.decode(line))
        except msgspec.DecodeError:
            raise Broken(fmt.STAKE_CHANGES, f"line {number}", "not JSON") from None
    return lines


def replay_snapshots(bundle: Bundle, selection: Selection | None = None) -> tuple[
        list[StakeInterval], list[tuple[datetime, int]], list[int], str]:
    """The log expanded into stake intervals, the checked snapshots compared with it.

    Returns (intervals, (block time high, height) for backdating, heights, summary).
    """
    records = bundle.manifest["snapshots"]
    heights = [record["height"] for record in records]
    for index, height in enumerate(heights):
        if type(height) is not int:
            raise Broken(CHECK, f"snapshot {index + 1} of the manifest", f"height {height!r:.40} is not an integer")
        if index and height <= heights[index - 1]:
            raise Broken(CHECK, f"snapshot {height}", f"listed after snapshot {heights[index - 1]}: heights must "
                                                      "increase")
    lines = _log_lines(bundle)
    checked, chosen = (selection or Selection()).indexes(heights)
    payloads = _Payloads(bundle)
    intervals: list[StakeInterval] = []
    times: list[tuple[datetime, int]] = []
    time_high: int | None = None
    expansion = expand(lines, intervals)
    for index, record in enumerate(records):
        height = record["height"]
        try:
            expanded = next(expansion, None)
        except StakeChangeError as error:
            raise Broken(fmt.STAKE_CHANGES, f"line {index + 1}", str(error)) from None
        if expanded is None:
            raise Broken(fmt.STAKE_CHANGES, f"line {index + 1}", f"missing: snapshot {height} has no line")
        if expanded.height != height:
            raise Broken(fmt.STAKE_CHANGES, f"line {index + 1}", f"is for height {expanded.height}; snapshot "
                                                                 f"{index + 1} of the bundle is at {height}")
        if index in checked:
            _check_snapshot(payloads, record, expanded.stakes)
        timestamp = record["block_timestamp"]
        time_high = timestamp if time_high is None else (time_high if timestamp is None else max(time_high, timestamp))
        if time_high is not None:
            times.append((datetime.fromtimestamp(time_high, UTC), height))
    if len(lines) > len(records):
        raise Broken(fmt.STAKE_CHANGES, f"line {len(records) + 1}", "no snapshot of the bundle is at its height")
    for _rest in expansion:  # closes the log: the intervals still open
        pass
    summary = (f"{len(records)} snapshots' stake changes expanded; {len(checked)} snapshots ({chosen}) expanded "
               f"and matched to their sha256 and to those stakes")
    return intervals, times, heights, summary
