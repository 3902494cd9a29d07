"""The public leaderboard: every registered Oxen address, its points and an estimate of its SESH.

Computed from the stored intervals as of the latest snapshot (`compute_bonus`), and cached: the
key names the latest snapshot's height and hash, so a new snapshot or a reorg is a new key, and
entries expire after `CACHE_SECONDS` so new registrations show up within that time.

Rank: by stake-blocks, highest first; equal stake-blocks share a rank (1, 2, 2, 4), listed by
Oxen address. Addresses with no points have no rank. The estimate is the address's exact share of
the pool as if the program ended at this snapshot, rounded down: `pool × stake_blocks // total`.
The real amount is paid per ETH address (several Oxen addresses may share one) and depends on
everyone's points at `SNB_FINAL_HEIGHT`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.cache import cache

from bonuses.services.allocations import BonusReport, compute_bonus, latest_snapshot
from swap.core.bonus_allocation import format_points, points

CACHE_SECONDS = 60
CACHE_VERSION = 1


@dataclass(frozen=True)
class Entry:
    rank: int | None
    oxen_address: str
    eth_address: str
    stake_blocks: int
    points: str
    estimated_sesh_atomic: int

    @property
    def short_address(self) -> str:
        return f"{self.oxen_address[:6]}…{self.oxen_address[-6:]}"


@dataclass(frozen=True)
class Leaderboard:
    snapshot_height: int
    at_height: int
    total_stake_blocks: int
    pool_atomic: int
    entries: list[Entry]  # ranked entries first, in rank order, then the unranked by address
    ranked_count: int
    _index: dict[str, int] = field(repr=False, default_factory=dict)

    @property
    def ranked(self) -> list[Entry]:
        return self.entries[: self.ranked_count]

    def lookup(self, oxen_address: str) -> Entry | None:
        position = self._index.get(oxen_address)
        return None if position is None else self.entries[position]


def build_leaderboard(report: BonusReport) -> Leaderboard:
    """Rank the registered addresses of one bonus computation (pure arithmetic on the report)."""
    by_address = report.allocation.stake_blocks_by_address
    total = report.allocation.total_stake_blocks
    pool = report.allocation.pool_atomic
    rows = sorted(
        ((by_address.get(r.oxen_address, 0), r.oxen_address, r.eth_address) for r in report.registered),
        key=lambda row: (-row[0], row[1]),
    )
    entries: list[Entry] = []
    ranked = 0
    rank = 0
    previous: int | None = None
    for position, (stake_blocks, oxen, eth) in enumerate(rows, start=1):
        if stake_blocks > 0:
            ranked += 1
            if stake_blocks != previous:
                rank, previous = position, stake_blocks
        estimate = pool * stake_blocks // total if total else 0
        entries.append(Entry(rank if stake_blocks > 0 else None, oxen, eth, stake_blocks,
                             format_points(points(stake_blocks)), estimate))
    index = {entry.oxen_address: i for i, entry in enumerate(entries)}
    return Leaderboard(report.snapshot_height, report.at_height, total, pool, entries, ranked, index)


def current_leaderboard() -> Leaderboard | None:
    """The leaderboard as of the latest snapshot, from the cache when fresh; None before any snapshot."""
    latest = latest_snapshot()
    if latest is None:
        return None
    key = f"bonuses:leaderboard:v{CACHE_VERSION}:{latest.height}:{latest.block_hash}"
    board: Leaderboard | None = cache.get(key)
    if board is None:
        board = build_leaderboard(compute_bonus(latest.height))
        cache.set(key, board, CACHE_SECONDS)
    return board
