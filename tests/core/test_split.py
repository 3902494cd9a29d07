"""split_pool: exact largest-remainder splits, proved by examples and hypothesis properties."""

from fractions import Fraction
from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from swap.core.split import NothingToSplit, split_pool

SESH = 10**9
ETH = st.integers(min_value=0, max_value=2**160 - 1).map(lambda n: f"0x{n:040x}")
# Small weights make equal weights and equal remainders (the tie-break) common.
WEIGHT = st.one_of(st.integers(min_value=0, max_value=4), st.integers(min_value=0, max_value=10**22))
WEIGHTS = st.dictionaries(ETH, WEIGHT, max_size=30)
POOLS = st.integers(min_value=0, max_value=30_000_000 * SESH)


def test_it_splits_evenly_divisible_pools_exactly() -> None:
    assert split_pool(100, {"0xa": 1, "0xb": 3}) == {"0xa": 25, "0xb": 75}


def test_it_gives_leftover_units_to_the_largest_remainders() -> None:
    # Exact shares of 10 by 1:2:3 are 1.666…, 3.333…, 5; floors 1, 3, 5 leave 1 unit.
    # Remainders (10*w % 6) are 4, 2, 0: the unit goes to 0xa.
    assert split_pool(10, {"0xa": 1, "0xb": 2, "0xc": 3}) == {"0xa": 2, "0xb": 3, "0xc": 5}


def test_it_breaks_remainder_ties_by_lowercase_key_ascending() -> None:
    # 2 units among three equal weights: floors 0, every remainder equal, two leftovers.
    result = split_pool(2, {"0xcc": 1, "0xAA": 1, "0xbb": 1})
    assert result == {"0xAA": 1, "0xbb": 1, "0xcc": 0}


def test_tie_break_is_the_same_for_eip55_and_lowercase_keys() -> None:
    mixed = split_pool(1, {"0xB0": 1, "0xa0": 1})
    lower = split_pool(1, {"0xb0": 1, "0xa0": 1})
    assert mixed == {"0xB0": 0, "0xa0": 1}
    assert lower == {"0xb0": 0, "0xa0": 1}


def test_it_keeps_zero_weights_with_zero_amounts() -> None:
    assert split_pool(7, {"0xa": 0, "0xb": 5}) == {"0xa": 0, "0xb": 7}


def test_a_zero_pool_splits_to_zeros_even_with_no_weight() -> None:
    assert split_pool(0, {"0xa": 0}) == {"0xa": 0}
    assert split_pool(0, {}) == {}


def test_it_refuses_a_positive_pool_with_zero_total_weight() -> None:
    with pytest.raises(NothingToSplit):
        split_pool(1, {"0xa": 0})
    with pytest.raises(NothingToSplit):
        split_pool(1, {})


@pytest.mark.parametrize("bad", [True, 1.0, "1", None])
def test_it_rejects_non_int_weights(bad: object) -> None:
    with pytest.raises(TypeError):
        split_pool(10, {"0xa": bad})  # type: ignore[dict-item]


@pytest.mark.parametrize("bad", [True, 10.0, "10"])
def test_it_rejects_non_int_pools(bad: object) -> None:
    with pytest.raises(TypeError):
        split_pool(bad, {"0xa": 1})  # type: ignore[arg-type]


def test_it_rejects_negative_inputs() -> None:
    with pytest.raises(ValueError):
        split_pool(-1, {"0xa": 1})
    with pytest.raises(ValueError):
        split_pool(10, {"0xa": 2, "0xb": -1})


def test_it_rejects_non_str_keys() -> None:
    with pytest.raises(TypeError):
        split_pool(10, {1: 1})  # type: ignore[dict-item]


def test_it_handles_the_full_pool_with_realistic_stake_blocks() -> None:
    # Three addresses staking 15,000 / 5,000 / 3,750 OXEN for 100,000 blocks.
    weights = {"0x01": 15_000 * SESH * 100_000, "0x02": 5_000 * SESH * 100_000, "0x03": 3_750 * SESH * 100_000}
    result = split_pool(30_000_000 * SESH, weights)
    assert sum(result.values()) == 30_000_000 * SESH
    # In atomic units the exact shares are 18,947,368,421,052,631.578…, 6,315,789,473,684,210.526…
    # and 4,736,842,105,263,157.894…; the floors leave 2 units, which go to the remainders .894
    # (0x03) and .578 (0x01).
    assert result == {"0x01": 18_947_368_421_052_632, "0x02": 6_315_789_473_684_210, "0x03": 4_736_842_105_263_158}


@given(POOLS, WEIGHTS)
def test_property_the_total_is_exactly_the_pool(pool: int, weights: dict[str, int]) -> None:
    if sum(weights.values()) == 0 and pool:
        return
    assert sum(split_pool(pool, weights).values()) == pool


@given(POOLS, WEIGHTS)
def test_property_amounts_are_non_negative_and_keys_preserved(pool: int, weights: dict[str, int]) -> None:
    if sum(weights.values()) == 0 and pool:
        return
    result = split_pool(pool, weights)
    assert result.keys() == weights.keys()
    assert all(amount >= 0 for amount in result.values())


@given(POOLS, WEIGHTS, st.randoms(use_true_random=False))
def test_property_it_is_independent_of_input_order(pool: int, weights: dict[str, int], rnd: Random) -> None:
    if sum(weights.values()) == 0 and pool:
        return
    items = list(weights.items())
    rnd.shuffle(items)
    assert split_pool(pool, dict(items)) == split_pool(pool, weights)


@given(POOLS, WEIGHTS)
def test_property_it_is_monotone_in_weight(pool: int, weights: dict[str, int]) -> None:
    if sum(weights.values()) == 0:
        return
    result = split_pool(pool, weights)
    for a, wa in weights.items():
        for b, wb in weights.items():
            if wa > wb:
                assert result[a] >= result[b]
            elif wa == wb:
                # Equal weights may differ only by the one leftover unit the tie-break assigns.
                assert abs(result[a] - result[b]) <= 1


@given(POOLS, WEIGHTS)
def test_property_each_amount_is_within_one_unit_of_its_exact_share(pool: int, weights: dict[str, int]) -> None:
    total = sum(weights.values())
    if total == 0:
        return
    for key, amount in split_pool(pool, weights).items():
        exact = Fraction(pool * weights[key], total)
        assert exact - 1 < amount < exact + 1


@given(POOLS, WEIGHTS)
def test_property_zero_weights_receive_nothing(pool: int, weights: dict[str, int]) -> None:
    if sum(weights.values()) == 0:
        return
    result = split_pool(pool, weights)
    assert all(result[key] == 0 for key, weight in weights.items() if weight == 0)
