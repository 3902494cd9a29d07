"""Why an Oxen address gets what it gets: every record behind its SESH, from registration to proof.

An auditor asks "why this amount?" about one Oxen address; the answer is a chain of records:
1. its registrations (current and superseded): which ETH address it pays to, since when;
2. the stake intervals behind its stake-blocks, each with the snapshots at its ends and the blocks
   of it that count (the counting window and the address's first earning height) — counted by
   `swap.core.bonus_allocation.stake_blocks_by_address`, the same function the bonus itself uses;
3. the split step: its ETH address's stake-blocks (every Oxen address mapped to it) out of the
   total, the floor of the exact share and the leftover unit of the largest-remainder method;
4. its claims: deposits received and the credits they earned;
5. the rounds with an entry for any ETH address it was registered to, with the Merkle proof, and
   what that account has claimed on chain (as the claim index stored it).
Everything is read from the database; nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bonuses.models import ServiceNodeSnapshot, StakeInterval
from bonuses.services.allocations import BonusReport, BonusUnavailable
from bonuses.services.entitlements import bonus_report_as_paid, pinned_bonus_round
from claims.models import Claim, ClaimCredit, Deposit
from swap.core.bonus_allocation import StakeInterval as Interval
from swap.core.bonus_allocation import format_points, points, stake_blocks_by_address
from swap.distributions.models import DistributionEntry
from swap.distributions.services.claim_index import claimed_of
from swap.registrations.models import Registration

MAX_INTERVALS = 1000


@dataclass(frozen=True)
class IntervalLine:
    interval: StakeInterval
    counted_blocks: int
    stake_blocks: int
    from_snapshot: ServiceNodeSnapshot | None
    to_snapshot: ServiceNodeSnapshot | None


@dataclass(frozen=True)
class SplitStep:
    """Largest remainder for one ETH address: floor(pool × w / total), plus one unit or not."""

    eth_address: str
    weight: int
    total_weight: int
    pool: int
    floor: int
    remainder: int
    sesh: int

    @property
    def leftover_unit(self) -> int:
        return self.sesh - self.floor


@dataclass(frozen=True)
class BonusExplanation:
    at_height: int
    snapshot_hash: str
    window: tuple[int, int]
    earn_from: int | None  # the window's start height for a backdated registration
    intervals: list[IntervalLine]
    intervals_truncated: bool
    stake_blocks: int
    points: str
    mapped: list[tuple[str, int]]  # every Oxen address paying to the same ETH address, with its stake-blocks
    split: SplitStep | None


@dataclass(frozen=True)
class ClaimLine:
    claim: Claim
    deposits: list[Deposit]
    credits: list[ClaimCredit]

    @property
    def credited_sesh(self) -> int:
        return sum(credit.sesh_atomic for credit in self.credits)


@dataclass(frozen=True)
class Explanation:
    oxen_address: str
    registrations: list[Registration]  # newest first; the current one (if any) is first
    current: Registration | None
    bonus: BonusExplanation | None
    bonus_unavailable: str
    claims: list[ClaimLine]
    entries: list[DistributionEntry]  # newest round first
    claimed: dict[str, tuple[int, int | None]] = field(default_factory=dict)  # eth → (claimed, indexed block)


def _intervals(address: str, report: BonusReport, earn_from: int | None) -> tuple[list[IntervalLine], bool]:
    start, end = report.allocation.start_height, report.allocation.end_height
    rows = list(StakeInterval.objects.filter(oxen_address=address).select_related("node")
                .order_by("from_height", "id")[: MAX_INTERVALS + 1])
    truncated = len(rows) > MAX_INTERVALS
    rows = rows[:MAX_INTERVALS]
    heights = {row.from_height for row in rows} | {row.to_height for row in rows if row.to_height is not None}
    snapshots = {s.height: s for s in ServiceNodeSnapshot.objects.defer("payload").filter(height__in=heights)}
    earning = {address: earn_from} if earn_from is not None else {}
    lines = []
    for row in rows:
        pure = Interval(address, row.node.pubkey, row.amount_atomic, row.from_height, row.to_height)
        stake_blocks = stake_blocks_by_address([pure], earning, start_height=start, end_height=end).get(address, 0)
        lines.append(IntervalLine(row, stake_blocks // row.amount_atomic, stake_blocks,
                                  snapshots.get(row.from_height), snapshots.get(row.to_height)))
    return lines, truncated


def _split(report: BonusReport, eth_address: str) -> SplitStep | None:
    allocation = report.allocation
    key = eth_address.lower()
    if key not in allocation.sesh_by_eth:
        return None
    weight, total = allocation.stake_blocks_by_eth[key], allocation.total_stake_blocks
    floor, remainder = divmod(allocation.pool_atomic * weight, total)
    return SplitStep(eth_address, weight, total, allocation.pool_atomic, floor, remainder, allocation.sesh_by_eth[key])


def explain_bonus(address: str) -> BonusExplanation:
    """The bonus behind one Oxen address at the latest final snapshot (what a round would freeze)."""
    report = bonus_report_as_paid(pinned_bonus_round())
    earn_from = report.earn_from.get(address)
    intervals, truncated = _intervals(address, report, earn_from)
    by_address = report.allocation.stake_blocks_by_address
    mapped: list[tuple[str, int]] = []
    split = None
    # The ETH address the bonus goes to: the current one, or once a round holds the bonus, the
    # one registered at that round's cut-off (bonuses/services/entitlements.py).
    paid_to = next((row.eth_address for row in report.registered if row.oxen_address == address), None)
    if paid_to is not None:
        mapped = [(row.oxen_address, by_address.get(row.oxen_address, 0)) for row in report.registered
                  if row.eth_address == paid_to]
        split = _split(report, paid_to)
    stake_blocks = by_address.get(address, 0)
    return BonusExplanation(
        at_height=report.at_height, snapshot_hash=report.snapshot_hash,
        window=(report.allocation.start_height, report.allocation.end_height), earn_from=earn_from,
        intervals=intervals, intervals_truncated=truncated, stake_blocks=stake_blocks,
        points=format_points(points(stake_blocks)), mapped=mapped, split=split,
    )


def explain_address(oxen_address: str) -> Explanation:
    """Everything behind one Oxen address's SESH (see the module docstring)."""
    address = oxen_address.strip()
    registrations = list(Registration.objects.filter(oxen_address=address).order_by("-is_current", "-created_at",
                                                                                     "-id"))
    current = next((row for row in registrations if row.is_current), None)
    bonus, unavailable = None, ""
    try:
        bonus = explain_bonus(address)
    except BonusUnavailable as error:
        unavailable = str(error)
    claims = [
        ClaimLine(claim, list(claim.deposits.order_by("height", "txid")), list(claim.credits.order_by("id")))
        for claim in Claim.objects.filter(oxen_address=address).select_related("subaddress").order_by("created_at")
    ]
    eth_addresses = list(dict.fromkeys(row.eth_address for row in registrations))
    entries = list(DistributionEntry.objects.filter(eth_address__in=eth_addresses).select_related("round")
                   .order_by("-round__number", "eth_address"))
    return Explanation(
        oxen_address=address, registrations=registrations, current=current, bonus=bonus,
        bonus_unavailable=unavailable, claims=claims, entries=entries,
        claimed={eth: claimed_of(eth) for eth in eth_addresses},
    )
