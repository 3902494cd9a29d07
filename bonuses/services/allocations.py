"""The bonus as of a height, from the database: inputs for `allocate_bonus` and the rows people see.

Everything here reads; nothing writes. The arithmetic is `swap.core.bonus_allocation` (pure), fed with:
- the stake intervals that overlap the counting window;
- `earn_from` per currently registered Oxen address (`earn_from_height`: first registration before
  `SNB_BACKDATE_CUTOFF` → `SNB_START_HEIGHT`; later → the first snapshot, in height order, whose
  block timestamp is at or after the first registration time; snapshots without a block
  timestamp are not used as such a start);
- the current ETH address of each registered Oxen address (or the one in force at a given time:
  once the bonus is in a distribution round, `entitlements.py` pins it to that round's mapping).

The height `H` defaults to the latest stored snapshot's height. Beyond it the chain's state is
unknown, so a larger `H` is refused rather than extrapolated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection

from bonuses.models import ServiceNodeSnapshot
from bonuses.models import StakeInterval as StakeIntervalRow
from swap.core.bonus_allocation import (
    BonusAllocation,
    StakeInterval,
    allocate_bonus,
    earn_from_height,
    format_points,
    points,
)
from swap.registrations.services import RegisteredAddress, registered_addresses


class BonusUnavailable(ValueError):
    """The bonus cannot be computed as asked (no snapshot yet, or a height beyond the last one)."""


@dataclass(frozen=True)
class BonusReport:
    """One computation: the height used, who is registered, and the exact allocation."""

    at_height: int
    snapshot_height: int
    snapshot_hash: str
    allocation: BonusAllocation
    registered: list[RegisteredAddress]
    earn_from: dict[str, int]

    @property
    def eth_display(self) -> dict[str, str]:
        """Lowercase ETH address → its stored EIP-55 form."""
        return {row.eth_address.lower(): row.eth_address for row in self.registered}


@dataclass(frozen=True)
class AllocationRow:
    eth_address: str
    stake_blocks: int
    points: str
    sesh_atomic: int


@dataclass(frozen=True)
class PointsRow:
    oxen_address: str
    eth_address: str
    stake_blocks: int
    points: str


def snapshot_starts(registered_at: list[datetime]) -> list[tuple[datetime, int]]:
    """The (time, height) list `earn_from_height` bisects, reduced to the entries it can return.

    A snapshot's time is `block_time_high`, the running maximum of block timestamps in height
    order, so the list is sorted and its first entry at or after a time t is exactly the first
    snapshot by height whose own block timestamp is at or after t (block timestamps are not
    strictly monotone on a real chain; snapshots without one never start anyone's earnings). Any
    sub-list keeping, for every registration time, that first entry gives the same answers: the
    database finds each with one index lookup (`snapshot_time_high_height`) rather than sending
    every snapshot (seconds at mainnet scale, `bench/bonus.py`). Block timestamps are whole
    seconds, so "at or after t" is "at or after t rounded up to a second".
    """
    targets = sorted({math.ceil(moment.timestamp()) for moment in registered_at})
    table = connection.ops.quote_name(ServiceNodeSnapshot._meta.db_table)
    found: set[tuple[int, int]] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(targets), 500):
            chunk = targets[start : start + 500]
            values = ", ".join(["(%s)"] * len(chunk))
            cursor.execute(
                f"WITH targets(target) AS (VALUES {values}) "  # noqa: S608 - placeholders only
                f"SELECT (SELECT s.block_time_high FROM {table} s WHERE s.block_time_high >= targets.target "
                f"ORDER BY s.block_time_high, s.height LIMIT 1), "
                f"(SELECT s.height FROM {table} s WHERE s.block_time_high >= targets.target "
                f"ORDER BY s.block_time_high, s.height LIMIT 1) FROM targets",
                chunk,
            )
            found.update((high, height) for high, height in cursor.fetchall() if height is not None)
    return [(datetime.fromtimestamp(high, UTC), height) for high, height in sorted(found, key=lambda row: row[1])]


def earn_from_heights(registered: list[RegisteredAddress]) -> dict[str, int]:
    """{oxen_address: first earning height}; addresses with no snapshot since registering are left out."""
    cutoff = settings.SNB_BACKDATE_CUTOFF
    start = settings.SNB_START_HEIGHT
    times = snapshot_starts([row.first_registered_at for row in registered if row.first_registered_at >= cutoff])
    earn_from: dict[str, int] = {}
    for row in registered:
        height = earn_from_height(row.first_registered_at, cutoff=cutoff, program_start_height=start, snapshots=times)
        if height is not None:
            earn_from[row.oxen_address] = height
    return earn_from


def window_intervals(start: int, end: int) -> list[StakeInterval]:
    """The stored intervals that overlap the counting window [start, end)."""
    rows = StakeIntervalRow.objects.filter(from_height__lt=end).exclude(to_height__lte=start)
    return [
        StakeInterval(*row)
        for row in rows.values_list("oxen_address", "node__pubkey", "amount_atomic", "from_height", "to_height")
        .order_by()
    ]


def latest_snapshot(*, final_only: bool = False) -> ServiceNodeSnapshot | None:
    snapshots = ServiceNodeSnapshot.objects.defer("payload")
    if final_only:
        snapshots = snapshots.filter(provisional=False)
    return snapshots.order_by("-height").first()


def compute_bonus(
    at_height: int | None = None, *, final_only: bool = False, registrations_at: datetime | None = None
) -> BonusReport:
    """The bonus counted over [SNB_START_HEIGHT, min(H, SNB_FINAL_HEIGHT)).

    `at_height` None means the latest stored snapshot (the latest final one with `final_only`).
    `registrations_at` pays to the registrations in force at that time instead of the current ones.
    """
    latest = latest_snapshot(final_only=final_only)
    if latest is None:
        raise BonusUnavailable("no final snapshot is stored yet" if final_only else "no snapshot is stored yet")
    if at_height is None:
        at_height = latest.height
    if type(at_height) is not int or at_height < 0:
        raise BonusUnavailable(f"--at-height must be a non-negative integer, got {at_height!r}")
    if at_height > latest.height:
        raise BonusUnavailable(
            f"height {at_height} is beyond the latest {'final ' if final_only else ''}snapshot {latest.height}; "
            "the state after it is not known yet"
        )
    start, final = settings.SNB_START_HEIGHT, settings.SNB_FINAL_HEIGHT
    end = max(start, min(at_height, final))
    registered = registered_addresses(registrations_at)
    earn_from = earn_from_heights(registered)
    allocation = allocate_bonus(
        window_intervals(start, end),
        earn_from=earn_from,
        eth_of={row.oxen_address: row.eth_address for row in registered},
        start_height=start,
        final_height=final,
        at_height=at_height,
        pool_atomic=settings.SNB_POOL_ATOMIC,
    )
    return BonusReport(at_height, latest.height, latest.block_hash, allocation, registered, earn_from)


def allocation_rows(report: BonusReport) -> list[AllocationRow]:
    """One row per ETH address with a non-zero amount, sorted by the lowercase ETH address."""
    display = report.eth_display
    by_eth = report.allocation.stake_blocks_by_eth
    rows = []
    for eth, amount in sorted(report.allocation.sesh_by_eth.items()):
        if amount > 0:
            rows.append(AllocationRow(display[eth], by_eth[eth], format_points(points(by_eth[eth])), amount))
    return rows


def points_rows(report: BonusReport) -> list[PointsRow]:
    """One row per registered Oxen address (zero included), sorted by Oxen address."""
    by_address = report.allocation.stake_blocks_by_address
    rows = []
    for registered in sorted(report.registered, key=lambda row: row.oxen_address):
        stake_blocks = by_address.get(registered.oxen_address, 0)
        rows.append(PointsRow(registered.oxen_address, registered.eth_address, stake_blocks,
                              format_points(points(stake_blocks))))
    return rows


def totals_line(report: BonusReport, *, rows: int, what: str) -> str:
    """The one-line summary both commands print on stderr."""
    allocation = report.allocation
    total = allocation.total_stake_blocks
    allocated = sum(allocation.sesh_by_eth.values())
    return (
        f"{rows} {what}; heights [{allocation.start_height}, {allocation.end_height}) at H={report.at_height} "
        f"(latest snapshot {report.snapshot_height}); total stake_blocks {total}; "
        f"total points {format_points(points(total))}; sesh_atomic {allocated} of pool {allocation.pool_atomic}"
    )
