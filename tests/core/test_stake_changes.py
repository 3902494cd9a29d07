"""The stake-change log: written from ingestion's intervals, expanded back to the same stakes and intervals.

A random history of snapshots goes through `interval_changes` exactly as ingestion applies it;
the log written from the resulting intervals must expand, snapshot by snapshot, to each snapshot's
stakes, and give back the intervals. Lines that break the rule are refused with the reason.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from swap.core.bonus_allocation import StakeInterval, StakeKey, interval_changes
from swap.core.stake_changes import StakeChangeError, expand, log_records


def history(seed: int, count: int = 40) -> tuple[list[int], list[dict[StakeKey, int]], list[StakeInterval]]:
    rnd = random.Random(seed)
    heights, states, intervals = [], [], []
    open_stakes: dict[StakeKey, int] = {}
    opened_at: dict[StakeKey, int] = {}
    state: dict[StakeKey, int] = {}
    height = 1_000
    for _ in range(count):
        height += rnd.randint(1, 30)
        for _change in range(rnd.randint(0, 3)):
            key = (f"L{rnd.randrange(6)}", f"{rnd.randrange(4):064x}")
            if rnd.random() < 0.3:
                state.pop(key, None)
            else:
                state[key] = rnd.choice([5, 7, 15_000])
        changes = interval_changes(open_stakes, state, height)
        for key in changes.close:
            intervals.append(StakeInterval(*key, open_stakes.pop(key), opened_at.pop(key), height))
        for key, amount in changes.opened.items():
            open_stakes[key], opened_at[key] = amount, height
        heights.append(height)
        states.append(dict(state))
    intervals.extend(StakeInterval(*key, amount, opened_at[key], None) for key, amount in open_stakes.items())
    return heights, states, intervals


@pytest.mark.parametrize("seed", range(25))
def test_the_log_of_ingestion_s_intervals_expands_to_every_snapshot_s_stakes(seed: int) -> None:
    heights, states, intervals = history(seed)
    log = log_records(reversed(intervals), heights)
    assert [line["height"] for line in log] == heights
    rebuilt: list[StakeInterval] = []
    expanded = [(line.height, dict(line.stakes)) for line in expand(log, rebuilt)]
    assert expanded == list(zip(heights, states, strict=True))
    assert sorted(rebuilt) == sorted(intervals)


def test_intervals_at_heights_not_shipped_are_left_out() -> None:
    intervals = [StakeInterval("La", "n", 5, 10, 30), StakeInterval("Lb", "n", 5, 30, None),
                 StakeInterval("Lc", "n", 5, 40, None)]  # 40: a provisional snapshot, not shipped
    log = log_records(intervals, [10, 20])
    assert log == [{"close": [], "height": 10, "open": [["La", "n", 5]]}, {"close": [], "height": 20, "open": []}]


def refusal(log: list[dict[str, Any]]) -> str:
    with pytest.raises(StakeChangeError) as caught:
        list(expand(log, []))
    return str(caught.value)


def test_lines_that_break_the_rule_are_refused() -> None:
    first = {"close": [], "height": 10, "open": [["La", "n", 5]]}
    assert refusal([first, {"close": [["Lb", "n"]], "height": 20, "open": []}]) == \
        "height 20: closes Lb on n, which does not earn"
    assert refusal([first, {"close": [], "height": 20, "open": [["La", "n", 6]]}]) == \
        "height 20: opens La on n, which earns 6 already"
    assert refusal([first, {"close": [["La", "n"]], "height": 20, "open": [["La", "n", 5]]}]) == \
        "height 20: opens La on n, which earns 5 already"
    assert refusal([first, {"close": [], "height": 10, "open": []}]) == "height 10 does not follow 10"
    assert refusal([{"close": [], "height": 10, "open": [["Lb", "n", 1], ["La", "n", 1]]}]) == \
        "height 10: close and open are not sorted lists"
    assert refusal([{"close": [], "height": 10, "open": [["La", "n", 0]]}]).endswith("not a positive integer")
    assert refusal([{"close": [], "height": 10, "open": [["La", "n"]]}]).startswith("height 10: open: ")
    assert refusal([{"height": 10, "open": []}]) == "not a {close, height, open} record"
