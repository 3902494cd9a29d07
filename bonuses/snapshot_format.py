"""One `get_service_nodes` result → what ingestion stores: canonical bytes, digests, stakes, node facts.

Pure (no Django), like `allocation.py`, so anyone holding a published snapshot file can recompute
its sha256 and its earning stakes with the same code.

Canonical JSON is `json.dumps(result, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`
in UTF-8: the result exactly as received (integers stay exact, even above 2^53), in one byte form.
Its sha256 is the digest we publish. `stakes_digest` and `nodes_digest` fingerprint the two parts
ingestion derives rows from; when a new snapshot's fingerprints equal the latest stored snapshot's,
ingestion knows nothing changed without reading the open intervals back (the common case, every
two minutes).
"""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bonuses.allocation import StakeKey, earning_stakes

BLOCK_HASH = re.compile(r"[0-9a-f]{64}")
PUBKEY = BLOCK_HASH
# Oxen primary 97, integrated 106, Oxen 11 contributors may be 42-character ETH addresses.
MAX_ADDRESS_LENGTH = 110
# zlib level 1: a 2,000-node snapshot compresses about 4× as well as level 6 would need 5× the time.
COMPRESSION_LEVEL = 1

STATE_ACTIVE, STATE_DECOMMISSIONED, STATE_AWAITING = "active", "decommissioned", "awaiting"


class SnapshotFormatError(ValueError):
    """The result cannot be stored as a snapshot; the message says why, on one line."""


@dataclass(frozen=True)
class NodeFacts:
    """What `ServiceNode` keeps of one entry; a change in any of these rewrites the row."""

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

    def compressed(self) -> bytes:
        return zlib.compress(self.canonical, COMPRESSION_LEVEL)


def canonical_json(result: Mapping[str, Any]) -> bytes:
    """The one byte form of a result that we hash and store."""
    return json.dumps(result, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def _optional_uint(entry: Mapping[str, Any], name: str, pubkey: str) -> int | None:
    value = entry.get(name)
    if value is None:
        return None
    if type(value) is not int or value < 0:
        raise SnapshotFormatError(f"node {pubkey}: {name} is not a non-negative integer: {value!r:.40}")
    return value


def node_facts(entry: Mapping[str, Any]) -> NodeFacts:
    """The kept facts of one entry. State follows oxend: `active`; `funded` but not active = decommissioned."""
    pubkey = entry.get("service_node_pubkey")
    if not isinstance(pubkey, str) or not PUBKEY.fullmatch(pubkey):
        raise SnapshotFormatError(f"service node pubkey is not 64 lowercase hex: {pubkey!r:.80}")
    active = entry.get("active", False) is True
    funded = entry.get("funded", active) is True
    state = STATE_ACTIVE if active and funded else STATE_DECOMMISSIONED if funded else STATE_AWAITING
    operator = entry.get("operator_address", "")
    if not isinstance(operator, str) or len(operator) > MAX_ADDRESS_LENGTH:
        raise SnapshotFormatError(f"node {pubkey}: operator_address is not an address: {operator!r:.80}")
    return NodeFacts(
        pubkey=pubkey,
        operator_address=operator,
        registration_height=_optional_uint(entry, "registration_height", pubkey),
        state=state,
        state_height=_optional_uint(entry, "state_height", pubkey),
        requested_unlock_height=_optional_uint(entry, "requested_unlock_height", pubkey) or 0,
    )


def _digest(lines: list[str]) -> str:
    lines.sort()
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def parse_snapshot(result: Any) -> ParsedSnapshot:
    """Check a result and derive everything ingestion writes; raise `SnapshotFormatError` if unusable.

    Refused: anything but an object, a `status` other than "OK", an `unchanged` poll, a height that
    is not a non-negative integer, a block hash that is not 64 lowercase hex, and whatever
    `earning_stakes` refuses (missing node list, duplicate node, non-integer amounts).
    """
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
    try:
        stakes = earning_stakes(result)
    except ValueError as error:
        raise SnapshotFormatError(str(error)) from None
    nodes: dict[str, NodeFacts] = {}
    for entry in result["service_node_states"]:
        if not isinstance(entry, Mapping):
            raise SnapshotFormatError("a service_node_states entry is not an object")
        facts = node_facts(entry)
        nodes[facts.pubkey] = facts
    for address, pubkey in stakes:
        if len(address) > MAX_ADDRESS_LENGTH:
            raise SnapshotFormatError(f"node {pubkey}: contributor address longer than {MAX_ADDRESS_LENGTH}")
    try:
        canonical = canonical_json(result)
    except ValueError as error:  # NaN or infinity somewhere
        raise SnapshotFormatError(f"not representable as JSON: {error}") from None
    stakes_digest = _digest([f"{address} {pubkey} {amount}" for (address, pubkey), amount in stakes.items()])
    nodes_digest = _digest([
        f"{f.pubkey} {f.operator_address} {f.registration_height} {f.state} {f.state_height} "
        f"{f.requested_unlock_height}"
        for f in nodes.values()
    ])
    return ParsedSnapshot(
        height=height,
        block_hash=block_hash,
        canonical=canonical,
        sha256=hashlib.sha256(canonical).hexdigest(),
        stakes=stakes,
        nodes=nodes,
        stakes_digest=stakes_digest,
        nodes_digest=nodes_digest,
    )
