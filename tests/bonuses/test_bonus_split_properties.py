"""Hypothesis properties of the whole bonus computation: intervals → stake-blocks → the split.

`tests/core/test_split.py` proves them for `split_pool` alone; here the input is what the database
holds (stake intervals, earn-from heights, an ETH mapping), so the properties cover the accrual
too, and the interval arithmetic is checked against a plain loop over every block.
"""

from __future__ import annotations

from collections import defaultdict
from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st

from swap.core.bonus_allocation import StakeInterval, allocate_bonus

START, FINAL = 100, 160
POOL = 30_000_000 * 10**9
ADDRESSES = [f"L{i}" for i in range(6)]
ETHS = ["0x" + f"{i:02x}" * 20 for i in range(3)]


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[StakeInterval], dict[str, int], dict[str, str], int]:
    """Non-overlapping intervals per (address, node), earn-from heights for some addresses, an ETH map."""
    intervals: list[StakeInterval] = []
    for node in range(draw(st.integers(1, 4))):
        for address in draw(st.lists(st.sampled_from(ADDRESSES), max_size=3, unique=True)):
            cuts = sorted(draw(st.lists(st.integers(80, 180), min_size=1, max_size=4, unique=True)))
            open_end = draw(st.booleans())
            bounds = [*cuts, None] if open_end else cuts
            for low, high in zip(bounds, bounds[1:], strict=False):
                amount = draw(st.integers(1, 15_000)) * 10**9
                intervals.append(StakeInterval(address, f"node{node}", amount, low, high))
    registered = draw(st.lists(st.sampled_from(ADDRESSES), unique=True))
    earn_from = {address: draw(st.integers(START - 10, FINAL + 10)) for address in registered}
    eth_of = {address: draw(st.sampled_from(ETHS)) for address in registered}
    at_height = draw(st.integers(START - 10, FINAL + 20))
    return intervals, earn_from, eth_of, at_height


def allocate(intervals, earn_from, eth_of, at_height):  # type: ignore[no-untyped-def]
    return allocate_bonus(intervals, earn_from=earn_from, eth_of=eth_of, start_height=START, final_height=FINAL,
                          at_height=at_height, pool_atomic=POOL)


@settings(max_examples=200, deadline=None)
@given(histories())
def test_the_split_sums_to_the_pool_and_is_never_negative(history):
    allocation = allocate(*history)
    if allocation.total_stake_blocks:
        assert sum(allocation.sesh_by_eth.values()) == POOL
    else:
        assert allocation.sesh_by_eth == {}
    assert all(amount >= 0 for amount in allocation.sesh_by_eth.values())


@settings(max_examples=200, deadline=None)
@given(histories(), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_input_order(history, rnd: Random):
    intervals, earn_from, eth_of, at_height = history
    shuffled = list(intervals)
    rnd.shuffle(shuffled)
    reordered_from = dict(reversed(list(earn_from.items())))
    assert allocate(shuffled, reordered_from, eth_of, at_height) == allocate(*history)


@settings(max_examples=200, deadline=None)
@given(histories(), st.sampled_from(ADDRESSES), st.integers(1, 15_000), st.integers(80, 170))
def test_more_stake_blocks_never_mean_less_sesh(history, address, amount, low):
    intervals, earn_from, eth_of, at_height = history
    if address not in eth_of:
        return
    before = allocate(*history)
    more = [*intervals, StakeInterval(address, "extra-node", amount * 10**9, low, low + 5)]
    after = allocate(more, earn_from, eth_of, at_height)
    eth = eth_of[address].lower()
    assert after.stake_blocks_by_eth.get(eth, 0) >= before.stake_blocks_by_eth.get(eth, 0)
    assert after.sesh_by_eth.get(eth, 0) >= before.sesh_by_eth.get(eth, 0)


@settings(max_examples=200, deadline=None)
@given(histories())
def test_interval_arithmetic_equals_a_loop_over_every_block(history):
    intervals, earn_from, eth_of, at_height = history
    naive: dict[str, int] = defaultdict(int)
    for height in range(START, min(at_height, FINAL)):
        for address, _node, amount, low, high in intervals:
            if address in earn_from and height >= earn_from[address] and low <= height and (high is None
                                                                                           or height < high):
                naive[address] += amount
    assert allocate(*history).stake_blocks_by_address == {a: v for a, v in naive.items() if v}
