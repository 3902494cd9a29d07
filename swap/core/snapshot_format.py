"""One `get_service_nodes` result → what ingestion stores: canonical bytes, digests, stakes, node facts.

Pure (no Django), like `allocation.py`, so anyone holding a published snapshot file can recompute
its sha256 and its earning stakes with the same code.

Canonical JSON is `json.dumps(result, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`
in UTF-8 (`reference_canonical_json`): the result exactly as received (integers stay exact, even
above 2^64), in one byte form. Its sha256 is the digest we publish. `canonical_json` makes the same
bytes with orjson, about seven times faster, and falls back to the definition for anything orjson
writes differently or refuses (floats, NaN, integers beyond 64 bits, non-string keys, subclasses);
`tests/bonuses/test_snapshot_format.py` checks the two agree on every JSON value hypothesis makes.

`stakes_digest` and `nodes_digest` fingerprint the two parts ingestion derives rows from: the
sha256 of the canonical JSON of the earning stakes and of the node facts, both in pubkey order (so
the order oxend lists nodes in does not matter). When a new snapshot's fingerprints equal the latest
stored snapshot's, ingestion knows nothing changed without reading the open intervals back (the
common case, every two minutes). JSON is injective, so equal digests mean equal stakes.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, NamedTuple

import orjson

from swap.core.bonus_allocation import StakeKey, add_node_stakes

BLOCK_HASH = re.compile(r"[0-9a-f]{64}")
PUBKEY = BLOCK_HASH
# Oxen primary 97, integrated 106, Oxen 11 contributors may be 42-character ETH addresses.
MAX_ADDRESS_LENGTH = 110
# Subclasses of str, int, dict and list go to orjson's (absent) `default` and so to the fallback.
_ORJSON_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATETIME \
    | orjson.OPT_PASSTHROUGH_DATACLASS

STATE_ACTIVE, STATE_DECOMMISSIONED, STATE_AWAITING = "active", "decommissioned", "awaiting"


class SnapshotFormatError(ValueError):
    """The result cannot be stored as a snapshot; the message says why, on one line."""


class NodeFacts(NamedTuple):
    """What `ServiceNode` keeps of one entry; a change in any of these rewrites the row.

    A named tuple rather than a frozen dataclass: ingestion builds 2,000 of them per snapshot.
    """

    pubkey: str
    operator_address: str
    registration_height: int | None
    state: str
    state_height: int | None
    requested_unlock_height: int


@dataclass(frozen=True)
class ParsedSnapshot:
    height: int
    block_hash: str
    canonical: bytes
    sha256: str
    stakes: dict[StakeKey, int]
    nodes: dict[str, NodeFacts]
    stakes_digest: str
    nodes_digest: str

    @property
    def earning_total_atomic(self) -> int:
        return sum(self.stakes.values())


def reference_canonical_json(result: Any) -> bytes:
    """The definition of the one byte form of a result that we hash and store."""
    return json.dumps(result, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def _may_differ(data: bytes) -> bool:
    """Whether orjson's bytes may hold a float, which it writes its own way, or a NaN written as null.

    A finite float comes out with "." or an exponent "e+"/"e-" (checked for orjson's whole float
    range by the tests), NaN and infinities as `null`. A string holding one of these (an IP
    address, say) only costs the slower reference path. The one-byte searches are memchr-fast.
    """
    return b"." in data or b"+" in data or b"null" in data or (b"-" in data and b"e-" in data)


def canonical_json(result: Any) -> bytes:
    """`reference_canonical_json(result)`, made by orjson whenever that gives the same bytes."""
    try:
        data = orjson.dumps(result, option=_ORJSON_OPTIONS)
    except orjson.JSONEncodeError:  # integers beyond 64 bits, non-str keys, surrogates, subclasses, …
        return reference_canonical_json(result)
    return reference_canonical_json(result) if _may_differ(data) else data


def _digest(rows: list[tuple[Any, ...]]) -> str:
    """sha256 of JSON rows of strings, integers and None: no floats, so orjson's bytes are canonical."""
    try:
        data = orjson.dumps(rows)
    except orjson.JSONEncodeError:  # an integer beyond 64 bits
        data = reference_canonical_json(rows)
    return hashlib.sha256(data).hexdigest()


_HEIGHT_FIELDS = ("registration_height", "state_height", "requested_unlock_height")
_tuple_new = tuple.__new__


def _is_height(value: object) -> bool:
    return value is None or (type(value) is int and value >= 0)


def node_facts(entry: Mapping[str, Any]) -> NodeFacts:
    """The kept facts of one entry. State follows oxend: `active`; `funded` but not active = decommissioned.

    `registration_height` and `state_height` may be missing (None); a missing
    `requested_unlock_height` is 0. Written out flat, and the tuple made without the named tuple's
    Python-level constructor: this runs for every node of every snapshot.
    """
    get = entry.get
    pubkey = get("service_node_pubkey")
    if not isinstance(pubkey, str) or not PUBKEY.fullmatch(pubkey):
        raise SnapshotFormatError(f"service node pubkey is not 64 lowercase hex: {pubkey!r:.80}")
    active = get("active", False) is True
    funded = get("funded", active) is True
    operator = get("operator_address", "")
    if not isinstance(operator, str) or len(operator) > MAX_ADDRESS_LENGTH:
        raise SnapshotFormatError(f"node {pubkey}: operator_address is not an address: {operator!r:.80}")
    registration, state_height, unlock = get("registration_height"), get("state_height"), get("requested_unlock_height")
    if not (_is_height(registration) and _is_height(state_height) and _is_height(unlock)):
        name = next(name for name in _HEIGHT_FIELDS if not _is_height(get(name)))
        raise SnapshotFormatError(f"node {pubkey}: {name} is not a non-negative integer: {get(name)!r:.40}")
    state = STATE_ACTIVE if active and funded else STATE_DECOMMISSIONED if funded else STATE_AWAITING
    return _tuple_new(NodeFacts, (pubkey, operator, registration, state, state_height, unlock or 0))


def _sha256_in_background(data: bytes) -> Callable[[], str]:
    """Start hashing `data` on another thread and return the function that waits for the hex digest.

    hashlib releases the GIL on large inputs, so hashing 4 MB (3 ms) overlaps reading the nodes.
    """
    digest: list[str] = []
    thread = threading.Thread(target=lambda: digest.append(hashlib.sha256(data).hexdigest()), daemon=True)
    thread.start()

    def result() -> str:
        thread.join()
        return digest[0]

    return result


def _listing_key(entry: Any) -> str:
    pubkey = entry.get("service_node_pubkey") if isinstance(entry, Mapping) else None
    return pubkey if isinstance(pubkey, str) else ""


@dataclass(frozen=True)
class SnapshotContent:
    """What a result says, read without its byte form: for a reader who already holds the canonical bytes."""

    height: int
    block_hash: str
    stakes: dict[StakeKey, int]
    nodes: dict[str, NodeFacts]


def _header(result: Any) -> tuple[int, str, list[Any]]:
    """(height, block hash, node list) of a result, or `SnapshotFormatError` (see `parse_snapshot`)."""
    if not isinstance(result, Mapping):
        raise SnapshotFormatError("a snapshot is a JSON object (the `result` of get_service_nodes)")
    if "status" in result and result["status"] != "OK":
        raise SnapshotFormatError(f"status is {result['status']!r:.40}, not 'OK'")
    height = result.get("height")
    if type(height) is not int or height < 0:
        raise SnapshotFormatError(f"height is not a non-negative integer: {height!r:.40}")
    block_hash = result.get("block_hash")
    if not isinstance(block_hash, str) or not BLOCK_HASH.fullmatch(block_hash):
        raise SnapshotFormatError(f"block_hash is not 64 lowercase hex: {block_hash!r:.80}")
    if result.get("unchanged") is True:
        raise SnapshotFormatError("an unchanged poll carries no node list; the previous snapshot still holds")
    states = result.get("service_node_states")
    if not isinstance(states, list):
        raise SnapshotFormatError("get_service_nodes result has no service_node_states list")
    return height, block_hash, states


def _entries(states: list[Any]) -> tuple[dict[str, NodeFacts], dict[StakeKey, int]]:
    """The node facts and earning stakes of a node list, or `SnapshotFormatError` (see `parse_snapshot`)."""
    nodes: dict[str, NodeFacts] = {}
    stakes: dict[StakeKey, int] = {}
    # In pubkey order, so the stakes, the node facts and their digests do not depend on the order
    # oxend listed the nodes in. (The sort key only orders; malformed entries are refused below.)
    for entry in sorted(states, key=_listing_key):
        if type(entry) is not dict and not isinstance(entry, Mapping):
            raise SnapshotFormatError("a service_node_states entry is not an object")
        facts = node_facts(entry)
        if facts.pubkey in nodes:
            raise SnapshotFormatError(f"service node {facts.pubkey} is listed twice")
        nodes[facts.pubkey] = facts
        if facts.state == STATE_ACTIVE:  # what `earning_stakes` counts: active and funded
            try:
                add_node_stakes(stakes, entry, facts.pubkey)
            except ValueError as error:
                raise SnapshotFormatError(str(error)) from None
            except (AttributeError, TypeError):
                raise SnapshotFormatError(f"node {facts.pubkey}: contributors is not a list of objects") from None
    if stakes and max(map(len, map(itemgetter(0), stakes))) > MAX_ADDRESS_LENGTH:
        address, pubkey = next(key for key in stakes if len(key[0]) > MAX_ADDRESS_LENGTH)
        raise SnapshotFormatError(f"node {pubkey}: contributor address longer than {MAX_ADDRESS_LENGTH}")
    return nodes, stakes


def read_snapshot(result: Any) -> SnapshotContent:
    """Everything `parse_snapshot` derives but the byte form and digests, by the same checks.

    The standalone verifier holds the canonical bytes (their sha256 is the published digest), so
    it skips writing them again and reads the stakes with the very code ingestion used.
    """
    height, block_hash, states = _header(result)
    nodes, stakes = _entries(states)
    return SnapshotContent(height, block_hash, stakes, nodes)


def parse_snapshot(result: Any) -> ParsedSnapshot:
    """Check a result and derive everything ingestion writes; raise `SnapshotFormatError` if unusable.

    Refused: anything but an object, a `status` other than "OK", an `unchanged` poll, a height that
    is not a non-negative integer, a block hash that is not 64 lowercase hex, a node entry that is
    not an object or whose facts are malformed, a node listed twice, no node list, and the earning
    nodes' contributors that `earning_stakes` refuses (non-integer amounts, no address).
    """
    height, block_hash, states = _header(result)
    try:
        canonical = canonical_json(result)
    except ValueError as error:  # NaN or infinity somewhere, or a lone surrogate
        raise SnapshotFormatError(f"not representable as JSON: {error}") from None
    sha256 = _sha256_in_background(canonical)
    nodes, stakes = _entries(states)
    return ParsedSnapshot(
        height=height,
        block_hash=block_hash,
        canonical=canonical,
        sha256=sha256(),
        stakes=stakes,
        nodes=nodes,
        stakes_digest=_digest(list(stakes.items())),
        nodes_digest=_digest(list(map(tuple, nodes.values()))),
    )
