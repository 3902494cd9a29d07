"""Which snapshots the verifier checks: all of few, else the first, the last and those at uniformly drawn blocks."""

from __future__ import annotations

from collections import Counter

from sesh_verify.snapshots import Selection


def test_few_snapshots_or_all_are_all_checked() -> None:
    heights = list(range(100, 112))
    assert Selection(size=10).indexes(heights) == (set(range(12)), "every snapshot")
    assert Selection(size=1, every=True).indexes(heights)[0] == set(range(12))


def test_a_seed_repeats_the_draw_and_always_keeps_the_first_and_last() -> None:
    heights = list(range(0, 3_000, 3))
    drawn, how = Selection(size=50, seed=11).indexes(heights)
    assert (drawn, how) == Selection(size=50, seed=11).indexes(heights)
    assert {0, len(heights) - 1} <= drawn and len(drawn) <= 52
    assert "--seed 11" in how
    assert drawn != Selection(size=50, seed=12).indexes(heights)[0]
    assert len(Selection(size=50).indexes(heights)[0]) > 2  # a fresh seed of its own


def test_a_snapshot_is_drawn_in_proportion_to_the_blocks_it_stands_for() -> None:
    """One snapshot holds for 9,000 of 9,100 blocks: it is in nearly every draw, the others rarely."""
    heights = [*range(100), 9_100]
    counts: Counter[int] = Counter()
    for seed in range(200):
        counts.update(Selection(size=3, seed=seed).indexes(heights)[0] - {0, len(heights) - 1})
    assert counts[99] >= 195
    assert max(count for index, count in counts.items() if index != 99) < 20
