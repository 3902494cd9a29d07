"""Service Node Bonus arithmetic, pure: snapshots → stake intervals → stake-blocks → points → SESH.

No Django here (it lives in `swap.core`), so anyone can recompute the published
bonus from the published inputs with this file and `swap/core/split.py` alone.

The counting rule (SPEC §3, "ours" where marked there):
- Per Oxen block, every contributor of a node that is funded **and** active at that height earns
  its locked amount on that node in stake-blocks. Decommissioned and not-yet-funded nodes earn
  nothing; a node with an unlock request keeps earning until it leaves the list.
- Stakes are stored as intervals `[from_height, to_height)` per (Oxen address, node): the state
  seen in the snapshot at h_i holds for h_i <= h < h_(i+1). An open interval (`to_height` None)
  holds until the end of the counting window.
- Only heights in `[start_height, min(at_height, final_height))` count. A snapshot taken before
  the start still supplies the state for the first counted heights (its interval simply overlaps
  the window).
- An address earns only if registered, and only from its `earn_from` height (see
  `earn_from_height` for backdating).
- Accrual is interval arithmetic: amount × |[from, to) ∩ [max(start, earn_from), end)|, never a
  loop over blocks, so a year of 2-minute blocks costs the same as a day.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any, NamedTuple

from swap.core.amounts import ATOMIC_PER_OXEN
from swap.core.split import split_pool

# A full 15,000 OXEN node earns one point per block (SPEC §3).
STAKE_BLOCKS_PER_POINT = 15_000 * ATOMIC_PER_OXEN
DEFAULT_POOL_ATOMIC = 30_000_000 * ATOMIC_PER_OXEN
POINTS_DECIMALS = 6

StakeKey = tuple[str, str]
"""(oxen_address, node_pubkey): one contributor's stake on one node."""


class StakeInterval(NamedTuple):
    """An earning stake held for heights from_height <= h < to_height (None: still open)."""

    oxen_address: str
    node_pubkey: str
    amount_atomic: int
    from_height: int
    to_height: int | None


# --- snapshots -------------------------------------------------------------------------------


def earning_stakes(result: Mapping[str, Any]) -> dict[StakeKey, int]:
    """The earning stakes in one `get_service_nodes` result: {(address, node): locked atomic}.

    Only nodes with `active` and `funded` both true earn. `active` already implies funded in
    oxend; a missing `funded` is read as the value of `active`, a missing `active` as false, so
    a result without these fields earns nothing rather than everything. Contributors with a zero
    locked amount (an unfilled reservation) are left out. Any contributor address string is
    kept, Oxen or (Oxen 11) Ethereum: the registration mapping decides who earns.

    Malformed data (a non-integer amount, a node listed twice) raises `ValueError`: a snapshot
    we cannot read exactly must not be stored as if it were right.
    """
    if result.get("unchanged") is True:
        raise ValueError("an unchanged poll carries no node list; the previous snapshot still holds")
    states = result.get("service_node_states")
    if not isinstance(states, list):
        raise ValueError("get_service_nodes result has no service_node_states list")

    stakes: dict[StakeKey, int] = {}
    seen_nodes: set[str] = set()
    for node in states:
        pubkey = node.get("service_node_pubkey")
        if not isinstance(pubkey, str) or not pubkey:
            raise ValueError(f"service node entry without a pubkey: {node!r:.200}")
        if pubkey in seen_nodes:
            raise ValueError(f"service node {pubkey} is listed twice")
        seen_nodes.add(pubkey)
        active = node.get("active", False)
        funded = node.get("funded", active)
        if active is not True or funded is not True:
            continue
        add_node_stakes(stakes, node, pubkey)
    return stakes


def add_node_stakes(stakes: dict[StakeKey, int], node: Mapping[str, Any], pubkey: str) -> None:
    """Add the locked contributions of one earning node to `stakes` (see `earning_stakes`)."""
    for contributor in node.get("contributors") or ():
        address = contributor.get("address")
        amount = contributor.get("amount", 0)
        if not isinstance(address, str) or not address:
            raise ValueError(f"contributor without an address on node {pubkey}")
        if type(amount) is not int or amount < 0:
            raise ValueError(f"contributor amount on node {pubkey} is not a non-negative int: {amount!r}")
        if amount:
            key = (address, pubkey)
            if key in stakes:  # the same wallet contributed twice
                stakes[key] += amount
            else:
                stakes[key] = amount


@dataclass(frozen=True)
class IntervalChanges:
    """What one new snapshot at `height` changes: intervals to close and intervals to open.

    `close` lists keys whose open interval gets `to_height = height`; `opened` maps keys to the
    amount of a new interval `[height, None)`. A changed amount appears in both. Both are sorted
    so that writes happen in a deterministic order.
    """

    height: int
    close: list[StakeKey]
    opened: dict[StakeKey, int]

    def __bool__(self) -> bool:
        return bool(self.close or self.opened)


def interval_changes(
    open_stakes: Mapping[StakeKey, int], new_stakes: Mapping[StakeKey, int], height: int
) -> IntervalChanges:
    """Compare the currently open intervals with a new snapshot's earning stakes at `height`.

    `open_stakes` is {key: amount} of the intervals with `to_height` None. Only changes are
    returned, so an unchanged snapshot writes nothing. The caller must only pass snapshots in
    increasing height order (it knows the previous snapshot's height; this function does not).
    """
    if type(height) is not int or height < 0:
        raise ValueError(f"height must be a non-negative int, got {height!r}")
    if open_stakes == new_stakes:  # the common case: one C-level dict comparison
        return IntervalChanges(height, [], {})
    close = sorted(key for key, amount in open_stakes.items() if new_stakes.get(key) != amount)
    opened = {}
    for key in sorted(key for key, amount in new_stakes.items() if open_stakes.get(key) != amount):
        amount = new_stakes[key]
        if type(amount) is not int or amount <= 0:
            raise ValueError(f"earning stake {key} must be a positive int, got {amount!r}")
        opened[key] = amount
    return IntervalChanges(height, close, opened)


# --- backdating ------------------------------------------------------------------------------


def earn_from_height(
    registered_at: datetime,
    *,
    cutoff: datetime,
    program_start_height: int,
    snapshots: Sequence[tuple[datetime, int]],
) -> int | None:
    """The first height at which a registered Oxen address earns, or None if not yet known.

    A registration strictly before `cutoff` is backdated to the program start. A later one earns
    from the first snapshot captured at or after the registration time: `snapshots` is
    (captured_at, height) sorted by time. None means no snapshot has been captured since the
    registration yet. Datetimes must be timezone-aware (comparing naive with aware raises).
    """
    if registered_at < cutoff:
        return program_start_height
    index = bisect_left(snapshots, registered_at, key=lambda snapshot: snapshot[0])
    return snapshots[index][1] if index < len(snapshots) else None


# --- accrual ---------------------------------------------------------------------------------


def counting_window(start_height: int, final_height: int, at_height: int) -> tuple[int, int]:
    """The half-open range of heights that count: [start, min(at, final)), empty if reversed."""
    for name, value in (("start_height", start_height), ("final_height", final_height), ("at_height", at_height)):
        if type(value) is not int or value < 0:
            raise ValueError(f"{name} must be a non-negative int, got {value!r}")
    end = min(at_height, final_height)
    return start_height, max(start_height, end)


def check_intervals(intervals: Iterable[StakeInterval]) -> None:
    """Raise `ValueError` unless every interval is well formed and no two of one key overlap.

    Overlapping intervals for the same (address, node) would count a stake twice; this is the
    invariant the snapshot ingestion maintains, checked again before any money is computed.
    """
    spans: dict[StakeKey, list[tuple[int, int | None]]] = defaultdict(list)
    for interval in intervals:
        address, node, amount, start, end = interval
        if type(amount) is not int or amount <= 0:
            raise ValueError(f"interval amount must be a positive int: {interval}")
        if type(start) is not int or start < 0 or (end is not None and (type(end) is not int or end <= start)):
            raise ValueError(f"interval heights must satisfy 0 <= from < to: {interval}")
        spans[(address, node)].append((start, end))
    for key, key_spans in spans.items():
        if len(key_spans) < 2:
            continue
        key_spans.sort(key=lambda span: span[0])
        for (_, previous_end), (next_start, _) in zip(key_spans, key_spans[1:], strict=False):
            if previous_end is None or previous_end > next_start:
                raise ValueError(f"overlapping intervals for {key}")


def stake_blocks_by_address(
    intervals: Iterable[StakeInterval],
    earn_from: Mapping[str, int],
    *,
    start_height: int,
    end_height: int,
) -> dict[str, int]:
    """Stake-blocks earned per registered Oxen address within [start_height, end_height).

    Addresses absent from `earn_from` (not registered) earn nothing; addresses that earned
    nothing in the window are left out of the result.
    """
    totals: dict[str, int] = defaultdict(int)
    for address, _node, amount, from_height, to_height in intervals:
        earn_from_h = earn_from.get(address)
        if earn_from_h is None:
            continue
        low = max(from_height, start_height, earn_from_h)
        high = end_height if to_height is None else min(to_height, end_height)
        if high > low:
            totals[address] += amount * (high - low)
    return dict(totals)


def stake_blocks_by_eth(by_address: Mapping[str, int], eth_of: Mapping[str, str]) -> dict[str, int]:
    """Sum the stake-blocks of all Oxen addresses mapped to each ETH address (lowercase keys).

    Keys are lowercased so that one ETH address written in two cases is still one account; the
    split's tie-break is on the lowercase form anyway. An earning address without an ETH address
    is a caller bug (only registered addresses earn) and raises `KeyError`.
    """
    totals: dict[str, int] = defaultdict(int)
    for address, stake_blocks in by_address.items():
        totals[eth_of[address].lower()] += stake_blocks
    return dict(totals)


@dataclass(frozen=True)
class BonusAllocation:
    """The bonus as of one height: inputs per Oxen address, totals and SESH per ETH address."""

    start_height: int
    end_height: int
    pool_atomic: int
    stake_blocks_by_address: dict[str, int]
    stake_blocks_by_eth: dict[str, int]
    sesh_by_eth: dict[str, int]

    @property
    def total_stake_blocks(self) -> int:
        return sum(self.stake_blocks_by_eth.values())


def allocate_bonus(
    intervals: Sequence[StakeInterval],
    *,
    earn_from: Mapping[str, int],
    eth_of: Mapping[str, str],
    start_height: int,
    final_height: int,
    at_height: int,
    pool_atomic: int = DEFAULT_POOL_ATOMIC,
) -> BonusAllocation:
    """Stake-blocks per Oxen and ETH address and the exact SESH split as of `at_height`.

    If nobody earned anything yet (empty window, no registered stake), `sesh_by_eth` is empty:
    the pool stays unallocated rather than being split among no one.
    """
    check_intervals(intervals)
    start, end = counting_window(start_height, final_height, at_height)
    by_address = stake_blocks_by_address(intervals, earn_from, start_height=start, end_height=end)
    by_eth = stake_blocks_by_eth(by_address, eth_of)
    sesh = split_pool(pool_atomic, by_eth) if by_eth else {}
    return BonusAllocation(start, end, pool_atomic, by_address, by_eth, sesh)


# --- points ----------------------------------------------------------------------------------


def points(stake_blocks: int) -> Fraction:
    """Staking Points shown to people, exactly: stake-blocks / 15,000 OXEN."""
    return Fraction(stake_blocks, STAKE_BLOCKS_PER_POINT)


def format_points(value: Fraction | int) -> str:
    """`value` with exactly 6 decimals, truncated toward zero (never rounded up, never a float).

    Truncation means a displayed figure is never more than what was earned.
    """
    exact = Fraction(value)
    scaled = abs(exact.numerator) * 10**POINTS_DECIMALS // exact.denominator
    sign = "-" if exact < 0 and scaled else ""
    whole, fraction = divmod(scaled, 10**POINTS_DECIMALS)
    return f"{sign}{whole}.{fraction:0{POINTS_DECIMALS}d}"
