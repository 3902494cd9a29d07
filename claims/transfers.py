"""Turning the wallet's `get_transfers` entries into deposits: strict parsing, then grouping.

Pure Python (no Django). The wallet lists one entry per received output, with no output index,
and identical-looking entries are legitimate (oxen-wallet-rpc.md §7.1), so entries are never
de-duplicated: all entries of one (txid, major, minor) are summed into one `Observed` deposit.
Every field is checked for its JSON type (exact integers, never floats); the wallet omits
zero-valued keys, so `confirmations` and friends default to 0. A malformed entry fails the whole
poll (`MalformedTransfer`): nothing is written from a reply we do not understand.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

INT64_MAX = 2**63 - 1
UINT64_MAX = 2**64 - 1
LAST_TIMESTAMP = 253_402_300_799  # 9999-12-31T23:59:59Z: beyond it no date, so no multiplier
_TXID = re.compile(r"[0-9a-f]{64}")

DepositKey = tuple[str, int, int]  # (txid, major, minor)


class MalformedTransfer(ValueError):
    """A transfer entry the watcher cannot trust; the poll stops before writing anything."""


@dataclass(frozen=True)
class Observed:
    """One deposit as one poll saw it."""

    txid: str
    major: int
    minor: int
    amount_atomic: int
    output_count: int
    height: int  # 0 while unmined
    timestamp: int
    unlock_time: int
    types: frozenset[str]
    confirmations: int

    @property
    def key(self) -> DepositKey:
        return (self.txid, self.major, self.minor)

    @property
    def type_text(self) -> str:
        return ",".join(sorted(self.types))


def _uint(entry: Mapping[str, Any], name: str, default: int | None = None, maximum: int = INT64_MAX) -> int:
    value = entry.get(name, default)
    if type(value) is not int or not 0 <= value <= maximum:
        raise MalformedTransfer(f"{name} must be an integer in 0…{maximum}, got {value!r:.60}")
    return value


def _parse(entry: Mapping[str, Any], account_index: int) -> Observed:
    if not isinstance(entry, Mapping):
        raise MalformedTransfer("a transfer entry must be an object")
    txid = entry.get("txid")
    if not isinstance(txid, str) or not _TXID.fullmatch(txid):
        raise MalformedTransfer(f"txid must be 64 lowercase hex, got {txid!r:.80}")
    index = entry.get("subaddr_index")
    if not isinstance(index, Mapping):
        raise MalformedTransfer(f"{txid}: subaddr_index must be an object")
    major, minor = _uint(index, "major", maximum=2**32 - 1), _uint(index, "minor", maximum=2**32 - 1)
    if major != account_index:
        raise MalformedTransfer(f"{txid}: entry of account {major}, asked for account {account_index}")
    kind = entry.get("type")
    if not isinstance(kind, str) or not kind:
        raise MalformedTransfer(f"{txid}: type must be a non-empty string")
    amount = _uint(entry, "amount")
    if amount == 0:
        raise MalformedTransfer(f"{txid}: an incoming output of 0")
    return Observed(
        txid=txid,
        major=major,
        minor=minor,
        amount_atomic=amount,
        output_count=1,
        height=_uint(entry, "height", 0),
        timestamp=_uint(entry, "timestamp", 0, maximum=LAST_TIMESTAMP),
        unlock_time=_uint(entry, "unlock_time", 0, maximum=UINT64_MAX),
        types=frozenset({kind}),
        confirmations=_uint(entry, "confirmations", 0),
    )


def group_transfers(entries: Iterable[Mapping[str, Any]], account_index: int) -> dict[DepositKey, Observed]:
    """Sum the entries of each (txid, major, minor); its outputs must agree on height and time."""
    groups: dict[DepositKey, Observed] = {}
    for entry in entries:
        item = _parse(entry, account_index)
        known = groups.get(item.key)
        if known is None:
            groups[item.key] = item
            continue
        if (known.height, known.confirmations) != (item.height, item.confirmations):
            raise MalformedTransfer(f"{item.txid}: outputs of one transaction at different heights")
        total = known.amount_atomic + item.amount_atomic
        if total > INT64_MAX:
            raise MalformedTransfer(f"{item.txid}: amounts beyond any possible supply")
        groups[item.key] = Observed(
            txid=known.txid,
            major=known.major,
            minor=known.minor,
            amount_atomic=total,
            output_count=known.output_count + 1,
            height=known.height,
            timestamp=min(known.timestamp, item.timestamp),
            unlock_time=max(known.unlock_time, item.unlock_time),
            types=known.types | item.types,
            confirmations=known.confirmations,
        )
    return groups


def merge_polls(*polls: Mapping[DepositKey, Observed]) -> dict[DepositKey, Observed]:
    """Combine the groups of successive wallet calls; a later call's view of a deposit wins.

    The watcher reads unmined entries first, then mined ones: a blink mined between the two calls
    is seen twice, and its mined view (the later one) is the one kept.
    """
    merged: dict[DepositKey, Observed] = {}
    for poll in polls:
        merged.update(poll)
    return merged
