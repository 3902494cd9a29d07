"""The program's end as arithmetic: when an end may be announced, when claims close, how the books close.

Pure: no Django, no chain. The service (`swap.chain.program_end`) feeds it the chain's clock, the
announced end and the figures it read; the same rules refuse a bad end on the command line before
the Safe's owners are ever asked to sign one the contract would revert.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

MIN_END_NOTICE_SECONDS = 90 * 86_400  # the contract's MIN_END_NOTICE


def end_refusal(*, now: int, new_end: int, current_end: int | None) -> str | None:
    """Why `new_end` (unix seconds) cannot be announced at `now`, or None when it can.

    At least 90 days' notice, never earlier than an end already announced, and an end that has
    passed no longer moves: exactly what `SwapDistributor.setEndTime` enforces.
    """
    if current_end and now >= current_end:
        return f"the program ended at unix time {current_end}; its end no longer moves"
    if current_end and new_end < current_end:
        return f"the end can only move later than unix time {current_end}, not to {new_end}"
    if new_end < now + MIN_END_NOTICE_SECONDS:
        return (f"the end must give at least 90 days' notice: unix time {now + MIN_END_NOTICE_SECONDS} or later, "
                f"not {new_end}")
    return None


def closing_time(end: int, *, activation_delay: int, margin: int) -> int:
    """When claims and registrations close: the last moment a final round proposed then still
    becomes claimable before the end (the contract refuses a root activating at or after it)."""
    return end - activation_delay - margin


@dataclass(frozen=True)
class ClosingFigures:
    """pool = paid + withheld + remainder, each figure in atomic SESH.

    `paid` and `withdrawn` come from the chain (`Claimed` and `RemainderWithdrawn` events, or the
    distributor's balance before the withdrawal), `withheld` from the claims ledger (what the
    late-claim multiplier kept back, reserved for node rewards), `pool` from the programs' settings.
    The withdrawn amount carries both the withheld part and the rest (`remainder`).
    """

    pool: int
    paid: int
    withheld: int
    withdrawn: int

    @property
    def remainder(self) -> int:
        return self.withdrawn - self.withheld

    @property
    def difference(self) -> int:
        """pool − (paid + withheld + remainder); zero when the books close."""
        return self.pool - (self.paid + self.withheld + self.remainder)

    @property
    def balanced(self) -> bool:
        return self.difference == 0 and self.remainder >= 0


@dataclass(frozen=True)
class UnclaimedRow:
    eth_address: str
    entitled: int
    paid: int

    @property
    def unclaimed(self) -> int:
        return self.entitled - self.paid


def unclaimed_rows(entitled: Mapping[str, int], paid: Mapping[str, int]) -> list[UnclaimedRow]:
    """One row per account entitled or paid, in address order; `paid` above `entitled` is kept as is
    (a negative unclaimed figure is a mismatch the report shows, never hides)."""
    return [UnclaimedRow(address, entitled.get(address, 0), paid.get(address, 0))
            for address in sorted(set(entitled) | set(paid), key=str.lower)]
