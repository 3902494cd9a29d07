"""Turning the wallet's `get_transfers` entries into deposits: strict parsing, then grouping.

Pure Python (no Django). The wallet lists one entry per received output, with no output index,
and identical-looking entries are legitimate (oxen-wallet-rpc.md §7.1), so entries are never
de-duplicated: all entries of one (txid, major, minor) are summed into one `Observed` deposit.
Every field is checked for its JSON type (exact integers, never floats); the wallet omits
zero-valued keys, so `confirmations` and friends default to 0.

An entry that fails those checks (a zero or missing amount, a txid that is not 64 hex, another
account…) is *refused*, not fatal (issue 17, item 7): `sort_transfers` returns the readable groups
and the refused entries apart, and every entry of a (txid, major, minor) with one refused entry is
refused with it, so a deposit is never credited from part of its outputs. The watcher quarantines
what is refused (recorded, flagged for review) and credits the rest. `group_transfers` is the
strict form: any refused entry raises `MalformedTransfer`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
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
        raise MalformedTransfer(f"{txid}: amount is 0, an incoming output of nothing")
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


# Fields that change from one poll to the next: left out of a refused entry's identity.
_VOLATILE = frozenset({"confirmations", "checkpointed", "blink_mempool", "suggested_confirmations_threshold",
                       "double_spend_seen"})


@dataclass
class RefusedTransfer:
    """Wallet entries the watcher could not read, all of one (txid, major, minor) where it is known."""

    identity: str  # "txid:major:minor", or a digest of the entry when its key cannot be read
    txid: str  # as reported (at most 100 characters); "" when it is not a string
    major: int | None
    minor: int | None
    reason: str
    entries: list[Any] = field(default_factory=list)


def _key_of(entry: Any) -> tuple[str, int | None, int | None]:
    """The (txid, major, minor) an entry claims, as far as it can be read, for grouping refusals."""
    if not isinstance(entry, Mapping):
        return "", None, None
    txid = entry.get("txid")
    index = entry.get("subaddr_index")
    major = minor = None
    if isinstance(index, Mapping):
        major = index.get("major") if type(index.get("major")) is int else None
        minor = index.get("minor") if type(index.get("minor")) is int else None
    return (txid[:100] if isinstance(txid, str) else ""), major, minor


def _identity(entry: Any) -> str:
    txid, major, minor = _key_of(entry)
    if _TXID.fullmatch(txid) and major is not None and minor is not None:
        return f"{txid}:{major}:{minor}"
    stable = {k: v for k, v in entry.items() if k not in _VOLATILE} if isinstance(entry, Mapping) else entry
    text = json.dumps(stable, sort_keys=True, default=repr)
    return "entry:" + hashlib.sha256(text.encode()).hexdigest()


@dataclass
class TransferBatch:
    """One wallet reply, sorted: readable deposits by key, and the refused entries."""

    groups: dict[DepositKey, Observed]
    refused: list[RefusedTransfer]



def sort_transfers(entries: Iterable[Any], account_index: int) -> TransferBatch:
    """Group the readable entries (see `group_transfers`) and set every refused one apart."""
    raw_by_identity: dict[str, list[Any]] = {}
    parsed: dict[str, list[Observed]] = {}
    refused: dict[str, RefusedTransfer] = {}
    for entry in entries:
        identity = _identity(entry)
        raw_by_identity.setdefault(identity, []).append(entry)
        try:
            parsed.setdefault(identity, []).append(_parse(entry, account_index))
        except MalformedTransfer as error:
            if identity not in refused:
                txid, major, minor = _key_of(entry)
                refused[identity] = RefusedTransfer(identity, txid, major, minor, str(error))
    groups: dict[DepositKey, Observed] = {}
    for identity, items in parsed.items():
        if identity in refused:
            continue
        try:
            for item in items:
                _add(groups, item)
        except MalformedTransfer as error:
            txid, major, minor = items[0].txid, items[0].major, items[0].minor
            groups.pop((txid, major, minor), None)
            refused[identity] = RefusedTransfer(identity, txid, major, minor, str(error))
    for identity, refusal in refused.items():
        refusal.entries = raw_by_identity[identity]
    return TransferBatch(groups, list(refused.values()))


def group_transfers(entries: Iterable[Mapping[str, Any]], account_index: int) -> dict[DepositKey, Observed]:
    """Sum the entries of each (txid, major, minor); its outputs must agree on height and time.

    Strict: any entry `sort_transfers` would refuse raises `MalformedTransfer`.
    """
    groups: dict[DepositKey, Observed] = {}
    for entry in entries:
        _add(groups, _parse(entry, account_index))
    return groups


def _add(groups: dict[DepositKey, Observed], item: Observed) -> None:
    """Add one parsed output to its deposit's group (summed), or raise if they cannot be one deposit."""
    known = groups.get(item.key)
    if known is None:
        groups[item.key] = item
        return
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
