"""The exact arithmetic of Oxen Coin Claims: the rate, the multiplier schedule and each credit.

Pure Python (no Django, no I/O) so that anyone can re-run a credit from the published ledger and
get the same number to the atomic unit. OXEN and SESH both have 9 decimals, so with amounts in
atomic units the SPEC §4 formula `SESH = OXEN × 30,000,000 / (circulating − excluded)` becomes
the exact fraction

    rate = pool_atomic / (emission_atomic − burned_atomic − Σ excluded_atomic)

stored reduced as (rate_num, rate_den). A deposit of `amount` atomic OXEN at multiplier m =
(mult_num / mult_den) credits

    floor(amount × rate_num × mult_num / (rate_den × mult_den))

atomic SESH: one integer division at the very end, so nothing is rounded twice. There are no
floats and no `Decimal` here; every public function refuses them (`TypeError`).

The multiplier schedule is a list of steps `(start, fraction)`: at an instant before the first
start the multiplier is 1; from each start on, its fraction. "TGE + 6 months" is counted in
calendar months (same day of month and time of day, clamped to the month's last day).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

ATOMIC_PER_COIN = 10**9
DISPLAY_DECIMALS = 9
ONE = Fraction(1)
_FRACTION_TEXT = re.compile(r"(?:\d+/\d+|\d+(?:\.\d+)?)")


class RateError(ValueError):
    """The supply figures cannot give a rate (negative, or nothing left in circulation)."""


def _int(name: str, value: object, *, minimum: int = 0) -> int:
    if type(value) is not int:  # refuses bool, float, Decimal, str
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def _fraction(name: str, value: object) -> Fraction:
    if not isinstance(value, Fraction):
        raise TypeError(f"{name} must be a Fraction, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


@dataclass(frozen=True)
class Supply:
    """The TGE supply snapshot's figures, in atomic OXEN."""

    emission_atomic: int
    burned_atomic: int
    excluded_atomic: tuple[int, ...] = ()

    @property
    def excluded_total(self) -> int:
        return sum(self.excluded_atomic)

    @property
    def circulating_atomic(self) -> int:
        """Emission − burned − excluded holdings: the OXEN the pool is shared among."""
        return self.emission_atomic - self.burned_atomic - self.excluded_total


def claims_rate(pool_atomic: int, supply: Supply) -> Fraction:
    """The exact rate, atomic SESH per atomic OXEN, reduced to lowest terms."""
    pool = _int("pool_atomic", pool_atomic, minimum=1)
    _int("emission_atomic", supply.emission_atomic)
    _int("burned_atomic", supply.burned_atomic)
    for index, amount in enumerate(supply.excluded_atomic):
        _int(f"excluded amount #{index + 1}", amount)
    circulating = supply.circulating_atomic
    if circulating <= 0:
        raise RateError(
            f"emission {supply.emission_atomic} − burned {supply.burned_atomic} − excluded {supply.excluded_total} "
            f"= {circulating}: nothing in circulation to share the pool among"
        )
    return Fraction(pool, circulating)


def credit_atomic(amount_atomic: int, rate: Fraction, multiplier: Fraction = ONE) -> int:
    """floor(amount × rate × multiplier): the atomic SESH one deposit earns."""
    amount = _int("amount_atomic", amount_atomic)
    rate = _fraction("rate", rate)
    multiplier = _fraction("multiplier", multiplier)
    return (amount * rate.numerator * multiplier.numerator) // (rate.denominator * multiplier.denominator)


def capped(wanted_atomic: int, remaining_atomic: int) -> tuple[int, bool]:
    """The budget guard: (what may be credited, whether it was cut short by the pool)."""
    wanted = _int("wanted_atomic", wanted_atomic)
    remaining = _int("remaining_atomic", remaining_atomic)
    if wanted <= remaining:
        return wanted, False
    return remaining, True


def format_atomic(amount_atomic: int) -> str:
    """An atomic amount as coins with all 9 decimals, e.g. 1234500000000 → "1,234.500000000"."""
    whole, part = divmod(_int("amount_atomic", amount_atomic), ATOMIC_PER_COIN)
    return f"{whole:,}.{part:09d}"


def format_ratio(value: Fraction, decimals: int = DISPLAY_DECIMALS) -> str:
    """A non-negative fraction with `decimals` decimals, TRUNCATED (never rounded up).

    The rate shown to people is atomic SESH per atomic OXEN, which equals SESH per OXEN since both
    coins have 9 decimals. Truncating means the figure shown never promises more than is credited.
    """
    value = _fraction("value", value)
    _int("decimals", decimals)
    scaled = value.numerator * 10**decimals // value.denominator
    whole, part = divmod(scaled, 10**decimals)
    return f"{whole}.{part:0{decimals}d}" if decimals else str(whole)


def parse_fraction(text: str) -> Fraction:
    """Read "7/10", "0.7" or "1" exactly (decimal text is parsed digit by digit, never as a float)."""
    if not isinstance(text, str):
        raise TypeError(f"a fraction is read from text, got {type(text).__name__}")
    cleaned = text.strip()
    if not _FRACTION_TEXT.fullmatch(cleaned):
        raise ValueError(f"{text!r} is not a fraction such as 7/10 or 0.7")
    if "/" in cleaned:
        numerator, denominator = (int(part) for part in cleaned.split("/"))
        if denominator == 0:
            raise ValueError(f"{text!r} divides by zero")
        return Fraction(numerator, denominator)
    whole, _, decimals = cleaned.partition(".")
    return Fraction(int(whole + decimals), 10 ** len(decimals))


def add_calendar_months(moment: datetime, months: int) -> datetime:
    """`moment` plus whole calendar months: same day and time, clamped to the target month's end.

    2025-05-21 + 6 → 2025-11-21; 2025-08-31 + 6 → 2026-02-28. The timezone is kept.
    """
    _int("months", months)
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@dataclass(frozen=True)
class Step:
    """From `start` (aware) on, deposits earn `multiplier`."""

    start: datetime
    multiplier: Fraction


def checked_schedule(steps: Iterable[Step]) -> tuple[Step, ...]:
    """Steps sorted by start; refuses naive times, duplicate starts and negative multipliers."""
    ordered = tuple(sorted(steps, key=lambda step: step.start))
    for step in ordered:
        if step.start.tzinfo is None or step.start.utcoffset() is None:
            raise ValueError(f"multiplier step at {step.start} needs a timezone")
        _fraction("multiplier", step.multiplier)
    starts = [step.start for step in ordered]
    if len(set(starts)) != len(starts):
        raise ValueError("two multiplier steps start at the same instant")
    return ordered


def multiplier_at(schedule: Sequence[Step], moment: datetime) -> Fraction:
    """The multiplier in force at `moment`: the latest step started at or before it, else 1."""
    if moment.tzinfo is None:
        raise ValueError("the moment needs a timezone")
    current = ONE
    for step in schedule:
        if step.start <= moment:
            current = step.multiplier
        else:
            break
    return current


def parse_schedule(text: str) -> tuple[Step, ...]:
    """Read "<ISO time>=<fraction>[, …]", e.g. "2025-11-21T00:00:00+00:00=7/10"; empty → no steps."""
    steps = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        start_text, separator, fraction_text = item.rpartition("=")
        if not separator:
            raise ValueError(f"{item!r} is not <ISO time>=<fraction>")
        start = datetime.fromisoformat(start_text.strip().replace("Z", "+00:00"))
        steps.append(Step(start, parse_fraction(fraction_text)))
    return checked_schedule(steps)
