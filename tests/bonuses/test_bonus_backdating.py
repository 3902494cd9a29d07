"""Backdating and the registration mapping, through the database: who earns from which height.

The snapshot at height h has block time CUTOFF + (h − 1000) minutes (`at`), so the default
cut-off, 2024-02-01 00:00 UTC, is the block time of height 1000. The window is [1000, 1100).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from snb_scenarios import ETH_1, ETH_2, OXEN, Wallet, node, result

from bonuses.services.allocations import compute_bonus
from bonuses.services.ingest import ingest_snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("snb")]
CUTOFF = datetime(2024, 2, 1, tzinfo=UTC)  # the default SNB_BACKDATE_CUTOFF


def at(height: int) -> datetime:
    return CUTOFF + timedelta(minutes=height - 1000)


def store(height: int, *nodes, timestamp: bool = True) -> None:  # type: ignore[no-untyped-def]
    block_time = int(at(height).timestamp()) if timestamp else None
    ingest_snapshot(result(height, *nodes), source="import", block_timestamp=block_time)


@pytest.fixture
def wallets():  # type: ignore[no-untyped-def]
    return [Wallet(f"backdating-{i}") for i in range(4)]


@pytest.fixture
def staking(wallets):  # type: ignore[no-untyped-def]
    """Every wallet stakes 15,000 OXEN on its own node from snapshot 990 to the latest, 1100."""
    nodes = [node(f"n{i}", (wallet.address, 15_000)) for i, wallet in enumerate(wallets)]
    for height in (990, 1020, 1040, 1060, 1100):
        store(height, *nodes, timestamp=height != 1040)
    return wallets


def blocks_by_address(**kwargs) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {a: sb // (15_000 * OXEN) for a, sb in compute_bonus(**kwargs).allocation.stake_blocks_by_address.items()}


def test_registration_before_the_cutoff_earns_from_the_start_and_at_the_cutoff_does_not(staking):
    early, exact, late, never = staking
    early.register(ETH_1, at=CUTOFF - timedelta(seconds=1))
    exact.register(ETH_2, at=CUTOFF)  # not "before": earns from the first snapshot at or after it
    late.register(ETH_2, at=at(1021))  # after 1020's block time: 1040 has no block time, so 1060
    assert blocks_by_address() == {early.address: 100, exact.address: 80, late.address: 40}
    assert never.address not in compute_bonus().earn_from


def test_a_new_eth_address_keeps_the_first_registration_time_and_takes_the_payout(staking):
    wallet = staking[0]
    wallet.register(ETH_1, at=CUTOFF - timedelta(days=30))
    wallet.register(ETH_2, at=at(1050))
    report = compute_bonus()
    assert report.earn_from[wallet.address] == 1000
    assert report.allocation.sesh_by_eth == {ETH_2.lower(): 30_000_000 * 10**9}


def test_a_registration_after_the_latest_snapshot_earns_nothing_yet(staking):
    staking[0].register(ETH_1, at=CUTOFF - timedelta(days=1))
    staking[1].register(ETH_2, at=at(1200))
    report = compute_bonus()
    assert staking[1].address not in report.earn_from
    assert report.allocation.sesh_by_eth == {ETH_1.lower(): 30_000_000 * 10**9}


def test_unregistered_stake_earns_nothing_and_the_pool_stays_whole(staking):
    staking[0].register(ETH_1, at=CUTOFF - timedelta(days=1))
    report = compute_bonus()
    assert report.allocation.total_stake_blocks == 100 * 15_000 * OXEN
    assert sum(report.allocation.sesh_by_eth.values()) == 30_000_000 * 10**9


def test_nobody_registered_prints_no_rows():
    store(1000, node("n1", ("La", 15_000)))
    store(1010, node("n1", ("La", 15_000)))
    out = io.StringIO()
    call_command("bonus_allocations", stdout=out, stderr=io.StringIO())
    assert out.getvalue() == "eth_address,stake_blocks,points,sesh_atomic\n"


def test_the_commands_need_a_snapshot():
    with pytest.raises(CommandError, match="no snapshot is stored yet"):
        call_command("bonus_points")
