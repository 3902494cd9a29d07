"""A bundle's stake-change log: what each snapshot changed in the earning stakes, and the rule to expand it.

Pure (no Django). The service captures a snapshot a block: about 300,000 over the bonus window,
each a 4 MB `get_service_nodes` result. Expanding and hashing all of them takes a verifier hours,
yet the bonus depends on one thing per snapshot: which (Oxen address, node) stakes earn, and how
much. The log states exactly that, one line per shipped snapshot, in height order:

    {"close": [[address, node], ...], "height": h, "open": [[address, node, amount], ...]}

**The rule to expand it.** The earning stakes at the first snapshot are its `open` list; at every
later one, those of the snapshot before without the `close` keys, then with the `open` ones. A
line is what `bonus_allocation.interval_changes` gives for that snapshot: `close` lists only open
keys, `open` only keys not open after the closes, never at the amount just closed (that is no
change), amounts positive integers, both lists sorted. So the stake intervals ingestion stores
are exactly the log's intervals: opened by an `open`, closed by the next `close` of the key.

The service writes the log from its stored intervals (`swap.bundles.inputs`); the verifier
expands it and compares the stakes with those read from the snapshots' own bytes (whose sha256
the service recorded at capture): all of them, or a random sample (`docs/verify.md` says which
and why that is sound).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from swap.core.bonus_allocation import StakeInterval, StakeKey


class StakeChangeError(ValueError):
    """A line breaks the rule; the message says how, on one line."""


def log_records(intervals: Iterable[StakeInterval], heights: Sequence[int]) -> list[dict[str, Any]]:
    """The log of the snapshots at `heights` (increasing) from stake intervals, one record per height.

    An interval opening or closing at a height not in `heights` (a snapshot not shipped, such as a
    provisional one past the last final) is left out: for the shipped snapshots it never opened,
    or is still open.
    """
    shipped = set(heights)
    opened: dict[int, list[list[Any]]] = defaultdict(list)
    closed: dict[int, list[list[Any]]] = defaultdict(list)
    for address, node, amount, from_height, to_height in intervals:
        if from_height in shipped:
            opened[from_height].append([address, node, amount])
            if to_height in shipped:
                closed[to_height].append([address, node])
    return [{"close": sorted(closed.get(height, [])), "height": height, "open": sorted(opened.get(height, []))}
            for height in heights]


@dataclass(frozen=True)
class Expanded:
    """One snapshot's line applied: its height and the earning stakes there (shared: read, never keep)."""

    height: int
    stakes: dict[StakeKey, int]


def _pair(item: Any, size: int, where: str) -> tuple[Any, ...]:
    if type(item) is not list or len(item) != size or type(item[0]) is not str or type(item[1]) is not str:
        raise StakeChangeError(f"{where}: {item!r:.80} is not [address, node{', amount' if size == 3 else ''}]")
    return tuple(item)


def expand(records: Iterable[Any], intervals: list[StakeInterval]) -> Iterator[Expanded]:
    """Apply the log line by line, checking the rule; append every closed interval to `intervals`.

    After the last line, the intervals still open are appended too (`to_height` None). Raises
    `StakeChangeError` for a line that breaks the rule.
    """
    stakes: dict[StakeKey, int] = {}
    opened_at: dict[StakeKey, int] = {}
    previous: int | None = None
    for record in records:
        if type(record) is not dict or set(record) != {"close", "height", "open"}:
            raise StakeChangeError("not a {close, height, open} record")
        height, close, open_ = record["height"], record["close"], record["open"]
        if type(height) is not int or (previous is not None and height <= previous):
            raise StakeChangeError(f"height {height!r:.40} does not follow {previous}")
        if type(close) is not list or type(open_) is not list or close != sorted(close) or open_ != sorted(open_):
            raise StakeChangeError(f"height {height}: close and open are not sorted lists")
        closed: dict[StakeKey, int] = {}
        for item in close:
            key = _pair(item, 2, f"height {height}: close")
            if key not in stakes or key in closed:
                raise StakeChangeError(f"height {height}: closes {key[0]} on {key[1]}, which does not earn")
            closed[key] = stakes.pop(key)
            intervals.append(StakeInterval(key[0], key[1], closed[key], opened_at.pop(key), height))
        for item in open_:
            address, node, amount = _pair(item, 3, f"height {height}: open")
            key = (address, node)
            if type(amount) is not int or amount <= 0:
                raise StakeChangeError(f"height {height}: opens {address} on {node} at {amount!r:.40}, "
                                       "not a positive integer")
            if key in stakes or closed.get(key) == amount:
                raise StakeChangeError(f"height {height}: opens {address} on {node}, which earns {amount} already")
            stakes[key], opened_at[key] = amount, height
        previous = height
        yield Expanded(height, stakes)
    intervals.extend(StakeInterval(key[0], key[1], amount, opened_at[key], None) for key, amount in stakes.items())
