"""The program end's pure rules: the notice, the close, the closing identity, the unclaimed rows."""

from hypothesis import given
from hypothesis import strategies as st

from swap.core.program_end import MIN_END_NOTICE_SECONDS, ClosingFigures, closing_time, end_refusal, unclaimed_rows

NOW = 1_800_000_000


def test_it_refuses_an_end_with_less_than_90_days_notice() -> None:
    assert end_refusal(now=NOW, new_end=NOW + MIN_END_NOTICE_SECONDS, current_end=None) is None
    refusal = end_refusal(now=NOW, new_end=NOW + MIN_END_NOTICE_SECONDS - 1, current_end=None)
    assert refusal is not None and "at least 90 days' notice" in refusal


def test_it_moves_an_end_only_later_and_never_once_passed() -> None:
    current = NOW + MIN_END_NOTICE_SECONDS + 10
    assert "only move later" in (end_refusal(now=NOW, new_end=current - 1, current_end=current) or "")
    assert end_refusal(now=NOW, new_end=current + MIN_END_NOTICE_SECONDS, current_end=current) is None
    later = end_refusal(now=current, new_end=current + 2 * MIN_END_NOTICE_SECONDS, current_end=current)
    assert later is not None and "no longer moves" in later
    # Later, but with less than 90 days' notice from now: refused too.
    assert "notice" in (end_refusal(now=NOW + 100, new_end=current + 1, current_end=current) or "")


def test_claims_close_before_the_end_by_the_activation_delay_and_the_margin() -> None:
    assert closing_time(NOW, activation_delay=86_400, margin=3600) == NOW - 86_400 - 3600


@given(st.integers(0, 10**17), st.integers(0, 10**17), st.integers(0, 10**17))
def test_the_books_balance_exactly_when_pool_is_paid_plus_withdrawn(paid: int, withheld: int, rest: int) -> None:
    figures = ClosingFigures(pool=paid + withheld + rest, paid=paid, withheld=withheld, withdrawn=withheld + rest)
    assert figures.balanced and figures.remainder == rest and figures.difference == 0
    off = ClosingFigures(pool=paid + withheld + rest + 1, paid=paid, withheld=withheld, withdrawn=withheld + rest)
    assert not off.balanced and off.difference == 1


def test_withheld_above_what_was_withdrawn_never_balances() -> None:
    assert not ClosingFigures(pool=10, paid=5, withheld=6, withdrawn=5).balanced


def test_unclaimed_rows_cover_everyone_entitled_or_paid_and_keep_overpayments_visible() -> None:
    rows = unclaimed_rows({"0xB": 10, "0xa": 5}, {"0xa": 5, "0xC": 1})
    assert [(r.eth_address, r.entitled, r.paid, r.unclaimed) for r in rows] == [
        ("0xa", 5, 5, 0), ("0xB", 10, 0, 10), ("0xC", 0, 1, -1)]
