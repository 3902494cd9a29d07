"""The one amount formatter of the holder pages: exact, thousands separators, the unit, never a float."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from swap.core.amounts import format_amount, shorten_address


@pytest.mark.parametrize(("atomic", "text"), [
    (0, "0 SESH"),
    (1, "0.000000001 SESH"),
    (34_328_254_472_717, "34,328.254472717 SESH"),
    (30_000_000 * 10**9, "30,000,000 SESH"),
    (1_500_000_000, "1.5 SESH"),
    (-2_000_000_001, "-2.000000001 SESH"),
])
def test_it_writes_the_exact_value_with_separators_and_the_unit(atomic: int, text: str) -> None:
    assert format_amount(atomic, "SESH") == text


@given(st.integers(min_value=0, max_value=2**63 - 1))
def test_the_text_reads_back_to_the_same_atomic_amount(atomic: int) -> None:
    number, unit = format_amount(atomic, "OXEN").split(" ")
    assert unit == "OXEN"
    assert Decimal(number.replace(",", "")) * 10**9 == atomic


def test_addresses_keep_their_start_and_end_and_short_text_stays_whole() -> None:
    eth = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
    assert shorten_address(eth) == "0x3C44Cd…4293BC"
    oxen = "L" + "a" * 93 + "Z"
    assert shorten_address(oxen) == "Laaaaa…aaaaaZ"
    assert shorten_address("0x1234") == "0x1234"
