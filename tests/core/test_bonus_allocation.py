"""The Service Node Bonus counting rule, with expectations computed by hand in each test.

The scenarios go through the same pure pipeline the service runs: `get_service_nodes` results →
`earning_stakes` → `interval_changes` (what ingestion writes) → `allocate_bonus`.
"""

import subprocess
import sys
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from swap.core.bonus_allocation import (
    DEFAULT_POOL_ATOMIC,
    STAKE_BLOCKS_PER_POINT,
    StakeInterval,
    allocate_bonus,
    check_intervals,
    counting_window,
    earn_from_height,
    earning_stakes,
    format_points,
    interval_changes,
    points,
)

OXEN = 10**9
START, FINAL = 1000, 2000
LA, LB, LC = "LAaaa", "LBbbb", "LCccc"
ETH_1, ETH_2 = "0x00000000000000000000000000000000000000A1", "0x00000000000000000000000000000000000000b2"


def node(
    pubkey: str, *contributors: tuple[str, int], active: bool = True, funded: bool = True, unlock: int = 0
) -> dict[str, Any]:
    return {
        "service_node_pubkey": pubkey,
        "active": active,
        "funded": funded,
        "requested_unlock_height": unlock,
        "contributors": [{"address": a, "amount": amount, "reserved": amount} for a, amount in contributors],
    }


def snapshot(height: int, *nodes: dict[str, Any]) -> dict[str, Any]:
    return {"height": height, "block_hash": f"{height:064x}", "service_node_states": list(nodes), "status": "OK"}


def ingest(*snapshots: dict[str, Any]) -> list[StakeInterval]:
    """Run the snapshot bookkeeping as the ingestion does and return every interval written."""
    rows: dict[tuple[str, str], StakeInterval] = {}  # open intervals
    closed: list[StakeInterval] = []
    for result in snapshots:
        height = result["height"]
        changes = interval_changes({k: r.amount_atomic for k, r in rows.items()}, earning_stakes(result), height)
        for key in changes.close:
            closed.append(rows.pop(key)._replace(to_height=height))
        for key, amount in changes.opened.items():
            rows[key] = StakeInterval(key[0], key[1], amount, height, None)
    return closed + list(rows.values())


def allocate(
    intervals: list[StakeInterval],
    at: int,
    earn_from: dict[str, int] | None = None,
    eth_of: dict[str, str] | None = None,
    pool: int = DEFAULT_POOL_ATOMIC,
):
    return allocate_bonus(
        intervals,
        earn_from=earn_from if earn_from is not None else {LA: START, LB: START},
        eth_of=eth_of if eth_of is not None else {LA: ETH_1, LB: ETH_2},
        start_height=START,
        final_height=FINAL,
        at_height=at,
        pool_atomic=pool,
    )


# --- the counting rule through snapshots ------------------------------------------------------


def test_a_node_earns_from_the_snapshot_in_which_it_is_first_funded_and_active() -> None:
    intervals = ingest(
        snapshot(1000),
        snapshot(1100, node("n1", (LA, 15_000 * OXEN))),
        snapshot(1300, node("n1", (LA, 15_000 * OXEN))),
    )
    assert intervals == [StakeInterval(LA, "n1", 15_000 * OXEN, 1100, None)]  # unchanged → one row
    result = allocate(intervals, at=1300)
    # Blocks 1100…1299 = 200 blocks × 15,000 OXEN = 200 points.
    assert result.stake_blocks_by_address == {LA: 200 * 15_000 * OXEN}
    assert points(result.stake_blocks_by_address[LA]) == 200
    assert result.sesh_by_eth == {ETH_1.lower(): DEFAULT_POOL_ATOMIC}


def test_a_not_yet_funded_node_earns_nothing_until_funded() -> None:
    intervals = ingest(
        snapshot(1000, node("n1", (LA, 10_000 * OXEN), active=False, funded=False)),
        snapshot(1100, node("n1", (LA, 10_000 * OXEN), (LB, 5_000 * OXEN))),
    )
    result = allocate(intervals, at=1200)
    # Only 1100…1199 count: LA 100 × 10,000 OXEN, LB 100 × 5,000 OXEN.
    assert result.stake_blocks_by_address == {LA: 100 * 10_000 * OXEN, LB: 100 * 5_000 * OXEN}
    # 2:1 of 30M SESH: exactly 20M and 10M.
    assert result.sesh_by_eth == {ETH_1.lower(): 20_000_000 * OXEN, ETH_2.lower(): 10_000_000 * OXEN}


def test_a_changed_stake_closes_the_old_interval_and_opens_a_new_one() -> None:
    intervals = ingest(
        snapshot(1000, node("n1", (LA, 7_500 * OXEN), (LB, 7_500 * OXEN))),
        snapshot(1200, node("n1", (LA, 10_000 * OXEN), (LB, 7_500 * OXEN))),
    )
    assert sorted(intervals) == [
        StakeInterval(LA, "n1", 7_500 * OXEN, 1000, 1200),
        StakeInterval(LA, "n1", 10_000 * OXEN, 1200, None),
        StakeInterval(LB, "n1", 7_500 * OXEN, 1000, None),
    ]
    result = allocate(intervals, at=1400)
    # LA: 200 × 7,500 + 200 × 10,000 = 3,500,000 OXEN-blocks; LB: 400 × 7,500 = 3,000,000.
    assert result.stake_blocks_by_address == {LA: 3_500_000 * OXEN, LB: 3_000_000 * OXEN}


def test_a_decommissioned_node_earns_nothing_until_recommissioned() -> None:
    stake = (LA, 15_000 * OXEN)
    intervals = ingest(
        snapshot(1000, node("n1", stake)),
        snapshot(1100, node("n1", stake, active=False)),  # funded && !active = decommissioned
        snapshot(1150, node("n1", stake)),
    )
    result = allocate(intervals, at=1200)
    # 1000…1099 (100 blocks) + 1150…1199 (50 blocks) = 150 points.
    assert points(result.stake_blocks_by_address[LA]) == 150


def test_an_unlock_request_keeps_accruing_until_the_node_leaves_the_list() -> None:
    stake = (LA, 15_000 * OXEN)
    intervals = ingest(
        snapshot(1000, node("n1", stake)),
        snapshot(1100, node("n1", stake, unlock=1200)),
        snapshot(1200),  # unlocked: gone from the list
        snapshot(1300),
    )
    assert intervals == [StakeInterval(LA, "n1", 15_000 * OXEN, 1000, 1200)]
    assert points(allocate(intervals, at=1300).stake_blocks_by_address[LA]) == 200


def test_a_deregistered_node_stops_earning_and_earned_points_are_kept() -> None:
    intervals = ingest(
        snapshot(1000, node("n1", (LA, 15_000 * OXEN)), node("n2", (LB, 15_000 * OXEN))),
        snapshot(1050, node("n2", (LB, 15_000 * OXEN))),
    )
    result = allocate(intervals, at=1100)
    assert points(result.stake_blocks_by_address[LA]) == 50
    assert points(result.stake_blocks_by_address[LB]) == 100


def test_one_address_on_several_nodes_and_several_addresses_on_one_eth_address_add_up() -> None:
    intervals = ingest(
        snapshot(1000, node("n1", (LA, 3_750 * OXEN), (LB, 11_250 * OXEN)), node("n2", (LA, 15_000 * OXEN))),
    )
    result = allocate(intervals, at=1010, eth_of={LA: ETH_1, LB: ETH_1.lower()})
    # LA: 10 × (3,750 + 15,000); LB: 10 × 11,250; both on ETH_1 (one account whatever the case).
    assert result.stake_blocks_by_address == {LA: 187_500 * OXEN, LB: 112_500 * OXEN}
    assert result.stake_blocks_by_eth == {ETH_1.lower(): 300_000 * OXEN}
    assert result.sesh_by_eth == {ETH_1.lower(): DEFAULT_POOL_ATOMIC}


def test_only_registered_addresses_earn() -> None:
    intervals = ingest(snapshot(1000, node("n1", (LA, 5_000 * OXEN), (LC, 10_000 * OXEN))))
    result = allocate(intervals, at=1100)
    assert result.stake_blocks_by_address == {LA: 100 * 5_000 * OXEN}
    assert result.sesh_by_eth == {ETH_1.lower(): DEFAULT_POOL_ATOMIC}  # LC's share is not held back


def test_it_splits_the_pool_by_largest_remainder_with_the_eth_tie_break() -> None:
    intervals = ingest(snapshot(1000, node("n1", (LA, 5_000 * OXEN), (LB, 5_000 * OXEN), (LC, 5_000 * OXEN))))
    eth_3 = "0x00000000000000000000000000000000000000c3"
    result = allocate(
        intervals,
        at=1001,
        earn_from={LA: START, LB: START, LC: START},
        eth_of={LA: ETH_1, LB: ETH_2, LC: eth_3},
        pool=10,
    )
    # 10 / 3 = 3 r 1 each: the one leftover unit goes to the lowest lowercase ETH address (…a1).
    assert result.sesh_by_eth == {ETH_1.lower(): 4, ETH_2.lower(): 3, eth_3: 3}


# --- counting window ------------------------------------------------------------------------


def test_a_snapshot_before_the_start_supplies_the_state_for_the_first_counted_heights() -> None:
    intervals = ingest(snapshot(800, node("n1", (LA, 15_000 * OXEN))))
    # Only 1000…1099 count, not 800…999.
    assert points(allocate(intervals, at=1100).stake_blocks_by_address[LA]) == 100


def test_nothing_counts_at_or_after_the_final_height() -> None:
    intervals = ingest(snapshot(1000, node("n1", (LA, 15_000 * OXEN))))
    assert points(allocate(intervals, at=5000).stake_blocks_by_address[LA]) == FINAL - START
    assert counting_window(START, FINAL, 5000) == (1000, 2000)


def test_the_window_ends_before_at_height_and_is_empty_at_or_before_the_start() -> None:
    intervals = ingest(snapshot(1000, node("n1", (LA, 15_000 * OXEN))))
    assert points(allocate(intervals, at=1001).stake_blocks_by_address[LA]) == 1  # height 1000 only
    for at in (START, START - 1, 0):
        result = allocate(intervals, at=at)
        assert result.stake_blocks_by_address == {}
        assert result.sesh_by_eth == {}  # the pool stays unallocated rather than split among no one
        assert counting_window(START, FINAL, at) == (START, START)


def test_an_interval_closed_exactly_at_the_start_earns_nothing() -> None:
    intervals = [StakeInterval(LA, "n1", 15_000 * OXEN, 900, 1000)]
    assert allocate(intervals, at=1500).stake_blocks_by_address == {}


# --- backdating -----------------------------------------------------------------------------

CUTOFF = datetime(2024, 2, 1, tzinfo=UTC)
SNAPSHOTS = [
    (datetime(2024, 2, 9, 12, 0, tzinfo=UTC), 1500),
    (datetime(2024, 2, 10, 0, 0, tzinfo=UTC), 1510),
    (datetime(2024, 2, 11, 0, 0, tzinfo=UTC), 1520),
]


def earn_from(registered_at: datetime) -> int | None:
    return earn_from_height(registered_at, cutoff=CUTOFF, program_start_height=START, snapshots=SNAPSHOTS)


def test_a_registration_before_the_cutoff_earns_from_the_program_start() -> None:
    assert earn_from(datetime(2024, 1, 31, 23, 59, 59, tzinfo=UTC)) == START
    assert earn_from(datetime(2023, 9, 1, tzinfo=UTC)) == START


def test_a_registration_at_or_after_the_cutoff_earns_from_its_first_snapshot_at_or_after_it() -> None:
    assert earn_from(CUTOFF) == 1500  # exactly at the cutoff is not "before"
    assert earn_from(datetime(2024, 2, 10, 0, 0, tzinfo=UTC)) == 1510  # a snapshot at the same instant
    assert earn_from(datetime(2024, 2, 10, 0, 0, 1, tzinfo=UTC)) == 1520
    assert earn_from(datetime(2024, 2, 12, tzinfo=UTC)) is None  # no snapshot since: not earning yet


def test_backdating_on_both_sides_of_the_cutoff_in_an_allocation() -> None:
    stake = (LA, 15_000 * OXEN), (LB, 15_000 * OXEN)
    intervals = ingest(snapshot(900, node("n1", *stake)))
    early = earn_from(datetime(2024, 1, 20, tzinfo=UTC))
    late = earn_from(datetime(2024, 2, 9, 18, 0, tzinfo=UTC))
    assert (early, late) == (START, 1510)
    result = allocate(intervals, at=1600, earn_from={LA: early, LB: late})
    # LA: 1000…1599 = 600 points; LB: 1510…1599 = 90 points. SESH 600:90 of 30M.
    assert points(result.stake_blocks_by_address[LA]) == 600
    assert points(result.stake_blocks_by_address[LB]) == 90
    # 30M × 600/690 = 26,086,956.521739130434… SESH; 30M × 90/690 = 3,913,043.478260869565… SESH.
    assert result.sesh_by_eth == {ETH_1.lower(): 26_086_956_521_739_130, ETH_2.lower(): 3_913_043_478_260_870}


# --- earning_stakes -------------------------------------------------------------------------


def test_earning_stakes_reads_only_funded_and_active_nodes_and_locked_amounts() -> None:
    result = snapshot(
        5,
        node("active", (LA, 3_750 * OXEN), (LB, 11_250 * OXEN)),
        node("decommissioned", (LA, 15_000 * OXEN), active=False),
        node("awaiting", (LC, 5_000 * OXEN), active=False, funded=False),
    )
    assert earning_stakes(result) == {(LA, "active"): 3_750 * OXEN, (LB, "active"): 11_250 * OXEN}


def test_earning_stakes_handles_oxen_11_omissions_and_eth_contributors() -> None:
    # dev/Oxen 11 omits `reserved` when it equals `amount`; a missing `funded` follows `active`.
    eth_operator = "0x1111111111111111111111111111111111111111"
    result = {
        "height": 7,
        "block_hash": "ab",
        "service_node_states": [
            {
                "service_node_pubkey": "n1",
                "active": True,
                "contributors": [
                    {"address": eth_operator, "amount": 100},
                    {"address": LA, "amount": 0, "reserved": 50},
                ],
            },
            {"service_node_pubkey": "n2", "funded": True},  # no `active`: earns nothing
            {"service_node_pubkey": "n3", "active": True, "funded": True},  # no contributors at all
        ],
    }
    assert earning_stakes(result) == {(eth_operator, "n1"): 100}


def test_earning_stakes_refuses_what_it_cannot_read_exactly() -> None:
    with pytest.raises(ValueError, match="unchanged"):
        earning_stakes({"unchanged": True, "height": 1, "block_hash": "ab", "status": "OK"})
    with pytest.raises(ValueError, match="service_node_states"):
        earning_stakes({"height": 1, "status": "OK"})
    with pytest.raises(ValueError, match="twice"):
        earning_stakes(snapshot(1, node("n1", (LA, 1)), node("n1", (LB, 1))))
    with pytest.raises(ValueError, match="non-negative int"):
        earning_stakes(snapshot(1, node("n1", (LA, 1.5))))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="address"):
        earning_stakes(snapshot(1, node("n1", (None, 1))))  # type: ignore[arg-type]


# --- interval bookkeeping -------------------------------------------------------------------


def test_an_unchanged_snapshot_changes_nothing() -> None:
    stakes = {(LA, "n1"): 5, (LB, "n1"): 7}
    changes = interval_changes(stakes, dict(stakes), 1234)
    assert not changes
    assert (changes.close, changes.opened) == ([], {})


def test_interval_changes_closes_leavers_opens_joiners_and_replaces_changed_amounts() -> None:
    before = {(LA, "n1"): 5, (LB, "n1"): 7, (LC, "n2"): 9}
    after = {(LA, "n1"): 5, (LB, "n1"): 8, (LA, "n3"): 1}
    changes = interval_changes(before, after, 50)
    assert changes.height == 50
    assert changes.close == [(LB, "n1"), (LC, "n2")]
    assert changes.opened == {(LA, "n3"): 1, (LB, "n1"): 8}


def test_interval_changes_refuses_a_non_positive_amount() -> None:
    with pytest.raises(ValueError):
        interval_changes({}, {(LA, "n1"): 0}, 5)


def test_overlapping_or_malformed_intervals_are_refused_before_any_money_is_computed() -> None:
    with pytest.raises(ValueError, match="overlapping"):
        check_intervals([StakeInterval(LA, "n1", 1, 10, None), StakeInterval(LA, "n1", 2, 20, 30)])
    with pytest.raises(ValueError, match="overlapping"):
        allocate([StakeInterval(LA, "n1", 1, 10, 25), StakeInterval(LA, "n1", 2, 20, 30)], at=1500)
    with pytest.raises(ValueError, match="from < to"):
        check_intervals([StakeInterval(LA, "n1", 1, 10, 10)])
    with pytest.raises(ValueError, match="positive"):
        check_intervals([StakeInterval(LA, "n1", 0, 10, 20)])
    check_intervals([StakeInterval(LA, "n1", 1, 10, 20), StakeInterval(LA, "n1", 2, 20, None)])  # adjacent is fine


# --- points ---------------------------------------------------------------------------------


def test_points_are_exact_fractions_of_15000_oxen() -> None:
    assert STAKE_BLOCKS_PER_POINT == 15_000 * OXEN
    assert points(15_000 * OXEN * 720) == 720
    assert points(OXEN) == Fraction(1, 15_000)


def test_points_are_formatted_with_six_decimals_truncated_toward_zero() -> None:
    assert format_points(points(15_000 * OXEN * 720)) == "720.000000"
    assert format_points(points(OXEN)) == "0.000066"  # 0.0000666… truncated, not rounded up
    assert format_points(Fraction(2, 3)) == "0.666666"
    assert format_points(Fraction(-2, 3)) == "-0.666666"
    assert format_points(Fraction(-1, 10**7)) == "0.000000"  # no negative zero
    assert format_points(0) == "0.000000"


def test_the_allocation_adds_no_django_import_of_its_own() -> None:
    # `swap/__init__.py` loads the Celery app, which itself imports parts of Django; what this
    # module controls is that neither `bonuses` nor `swap.core.bonus_allocation` adds any.
    code = (
        "import sys, swap.core.split; before = set(sys.modules); import swap.core.bonus_allocation; "
        "added = {m.split('.')[0] for m in set(sys.modules) - before}; "
        "sys.exit(1 if added & {'django', 'celery'} else 0)"
    )
    root = Path(__file__).resolve().parents[2]
    assert subprocess.run([sys.executable, "-c", code], cwd=root, check=False).returncode == 0
