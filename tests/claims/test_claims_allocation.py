"""The claims arithmetic is exact: rate, multiplier, credit and display, by example and by hypothesis."""

from __future__ import annotations

import io
import subprocess
import sys
import tokenize
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from swap.core.claims_allocation import (
    RateError,
    Step,
    Supply,
    add_calendar_months,
    capped,
    checked_schedule,
    claims_rate,
    credit_atomic,
    format_atomic,
    format_ratio,
    multiplier_at,
    parse_fraction,
    parse_schedule,
)

OXEN = 10**9
POOL = 30_000_000 * OXEN
REPO_ROOT = Path(__file__).resolve().parents[2]

AMOUNTS = st.integers(min_value=0, max_value=10**17)  # more than every OXEN ever minted
SUPPLIES = st.integers(min_value=1, max_value=10**17)
MULTIPLIERS = st.fractions(min_value=0, max_value=2, max_denominator=10**6)


def test_the_pure_modules_import_no_django() -> None:
    script = (
        "import swap.core.claims_allocation, claims.transfers, sys\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'django', 'celery', 'rest_framework'}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    assert (REPO_ROOT / "claims" / "__init__.py").read_text() == ""


def test_the_rate_is_the_reduced_fraction_pool_over_circulating() -> None:
    # 65M emitted, 1M burned, 4M excluded (+ odd atomic units): 60,000,000.1 OXEN circulating.
    supply = Supply(65_000_000 * OXEN + 123_456_789, 1_000_000 * OXEN, (4_000_000 * OXEN + 23_456_789,))
    assert supply.circulating_atomic == 60_000_000_100_000_000
    rate = claims_rate(POOL, supply)
    assert (rate.numerator, rate.denominator) == (300_000_000, 600_000_001)
    assert format_ratio(rate) == "0.499999999"  # 0.4999999991666…, truncated, never rounded up
    # 10 OXEN: 10^10 × 300000000 / 600000001 = 4999999991.666… → 4999999991 atomic SESH.
    assert credit_atomic(10 * OXEN, rate) == 4_999_999_991
    assert credit_atomic(10 * OXEN, rate, Fraction(7, 10)) == 3_499_999_994  # 3499999994.1666…


def test_a_supply_with_nothing_in_circulation_has_no_rate() -> None:
    with pytest.raises(RateError):
        claims_rate(POOL, Supply(10 * OXEN, 4 * OXEN, (6 * OXEN,)))
    with pytest.raises(ValueError):
        claims_rate(0, Supply(10 * OXEN, 0))


@pytest.mark.parametrize("bad", [1.5, Decimal("1.5"), "15", True, None])
def test_floats_decimals_and_text_are_refused_everywhere(bad: object) -> None:
    with pytest.raises(TypeError):
        credit_atomic(bad, Fraction(1, 2))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        credit_atomic(OXEN, bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        claims_rate(POOL, Supply(bad, 0))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        capped(bad, 1)  # type: ignore[arg-type]


@given(amount=AMOUNTS, pool=st.integers(min_value=1, max_value=POOL), circulating=SUPPLIES, multiplier=MULTIPLIERS)
def test_a_credit_is_the_floor_of_the_exact_product(amount: int, pool: int, circulating: int,
                                                     multiplier: Fraction) -> None:
    rate = claims_rate(pool, Supply(circulating, 0))
    credit = credit_atomic(amount, rate, multiplier)
    exact = Fraction(amount) * Fraction(pool, circulating) * multiplier
    assert credit <= exact < credit + 1
    assert type(credit) is int


@given(amounts=st.lists(AMOUNTS, max_size=20), circulating=SUPPLIES)
def test_crediting_every_coin_never_exceeds_the_pool(amounts: list[int], circulating: int) -> None:
    """Deposits that add up to at most the circulating supply can never earn more than the pool."""
    total = sum(amounts)
    rate = claims_rate(POOL, Supply(max(circulating, total, 1), 0))
    assert sum(credit_atomic(a, rate) for a in amounts) <= POOL


@given(wanted=AMOUNTS, remaining=AMOUNTS)
def test_the_budget_guard_gives_at_most_what_is_left(wanted: int, remaining: int) -> None:
    credited, was_capped = capped(wanted, remaining)
    assert credited == min(wanted, remaining)
    assert was_capped is (wanted > remaining)


@given(value=st.fractions(min_value=0, max_value=10**6))
def test_the_display_truncates_to_nine_decimals(value: Fraction) -> None:
    text = format_ratio(value)
    whole, decimals = text.split(".")
    assert len(decimals) == 9
    shown = Fraction(int(whole + decimals), 10**9)
    assert shown <= value < shown + Fraction(1, 10**9)


def test_amounts_show_all_nine_decimals() -> None:
    assert format_atomic(1_234_500_000_000) == "1,234.500000000"
    assert format_atomic(1) == "0.000000001"


@pytest.mark.parametrize(("text", "value"), [("7/10", Fraction(7, 10)), ("0.7", Fraction(7, 10)), ("1", Fraction(1)),
                                             (" 0.125 ", Fraction(1, 8))])
def test_fractions_are_read_exactly(text: str, value: Fraction) -> None:
    assert parse_fraction(text) == value


@pytest.mark.parametrize("text", ["", "-1", "1/0", "0.7.1", "1e3", "seven"])
def test_malformed_fractions_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_fraction(text)


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (datetime(2025, 5, 21, tzinfo=UTC), 6, datetime(2025, 11, 21, tzinfo=UTC)),
        (datetime(2025, 8, 31, 12, 30, tzinfo=UTC), 6, datetime(2026, 2, 28, 12, 30, tzinfo=UTC)),
        (datetime(2023, 8, 31, tzinfo=UTC), 6, datetime(2024, 2, 29, tzinfo=UTC)),
        (datetime(2025, 12, 1, tzinfo=UTC), 1, datetime(2026, 1, 1, tzinfo=UTC)),
    ],
)
def test_six_months_are_calendar_months(start: datetime, months: int, end: datetime) -> None:
    assert add_calendar_months(start, months) == end


def test_the_multiplier_changes_exactly_at_a_step() -> None:
    start = datetime(2025, 11, 21, tzinfo=UTC)
    schedule = checked_schedule([Step(start, Fraction(7, 10))])
    assert multiplier_at(schedule, start - timedelta(microseconds=1)) == 1
    assert multiplier_at(schedule, start) == Fraction(7, 10)
    assert multiplier_at((), start) == 1
    assert parse_schedule("2025-11-21T00:00:00Z=7/10") == schedule
    assert parse_schedule("") == ()
    with pytest.raises(ValueError):
        parse_schedule("2025-11-21T00:00:00=7/10")  # no timezone
    with pytest.raises(ValueError):
        multiplier_at(schedule, datetime(2025, 1, 1))  # noqa: DTZ001 - naive on purpose


MONEY_MODULES = [
    "swap/core/claims_allocation.py", "claims/transfers.py", "claims/services/crediting.py",
    "claims/services/ledger.py",
    "claims/services/entitlements.py", "claims/services/reconciliation.py", "claims/services/supply.py",
    "claims/services/watcher.py", "claims/models/supply.py", "claims/models/deposits.py",
]


@pytest.mark.parametrize("path", MONEY_MODULES)
def test_no_float_and_no_decimal_in_the_money_path(path: str) -> None:
    """Scanned token by token: no float literal, no float() and no Decimal in the code (docs aside)."""
    source = (REPO_ROOT / path).read_text()
    found = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.NAME and token.string in ("float", "Decimal", "decimal"):
            found.append(f"{token.start[0]}: {token.string}")
        if token.type == tokenize.NUMBER and any(c in token.string.lower() for c in ".ej"):
            found.append(f"{token.start[0]}: {token.string}")
    assert not found, found
