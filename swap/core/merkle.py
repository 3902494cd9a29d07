"""OpenZeppelin `StandardMerkleTree` for `["address", "uint256"]` leaves, byte for byte.

Distribution roots must be reproducible by anyone with OpenZeppelin's `@openzeppelin/merkle-tree`
(1.0.8) and verifiable on chain by `MerkleProof` (`@openzeppelin/contracts` 5.x), so this module
makes that library's choices exactly (`/work/shared/merkle.md`):

- leaf = keccak256(keccak256(abi.encode(address, uint256))): the double hash keeps a 32-byte leaf
  preimage from ever being mistaken for a 64-byte internal node;
- node(a, b) = keccak256(min(a, b) ‖ max(a, b)), so proofs carry no left/right flags;
- leaves sorted ascending (stable), written in reverse at the end of one heap-ordered array of
  2n − 1 hashes; a proof is the siblings from the leaf up to the root;
- dumps in the `standard-v1` JSON format, serialized exactly as `JSON.stringify` does.

Inputs are checked more strictly than the library does (`swap.core.merkle_values`). The tree is
built for a million leaves: one pass over the leaves, an account → position index, and every proof
emitted in one top-down sweep instead of one proof at a time.

Keccak binding: `safe-pysha3`, the one `swap.core.keccak` wraps (measured ~0.6 µs per 32- or 64-byte
call, against ~4 µs for pycryptodome). The hot loop of `_build` calls its `keccak_256` type
directly, which saves one Python call per hash; everything else goes through `keccak256`.
"""

from __future__ import annotations

import gc
import json
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sha3 import keccak_256 as _keccak_256

from swap.core.eth_address import parse_eth_address_with_checksum
from swap.core.keccak import keccak256
from swap.core.merkle_values import (
    MAX_UINT256,
    CheckedValues,
    MerkleInputError,
    check_entries,
)

LEAF_ENCODING = ("address", "uint256")
DUMP_FORMAT = "standard-v1"
_ADDRESS_PAD = bytes(12)
_DUMP_KEYS = frozenset({"format", "leafEncoding", "tree", "values"})
_LOWER_HEX = frozenset("0123456789abcdef")


class MerkleDumpError(ValueError):
    """A `standard-v1` dump is malformed or does not re-hash to what it claims; says why."""


def leaf_hash(account: bytes, amount: int) -> bytes:
    """Return the leaf of `(account, amount)`: keccak256(keccak256(abi.encode(account, amount)))."""
    return keccak256(keccak256(_ADDRESS_PAD + account + amount.to_bytes(32, "big")))


def node_hash(a: bytes, b: bytes) -> bytes:
    """Return the parent of two nodes: the hash of the pair in ascending byte order."""
    return keccak256(a + b if a < b else b + a)


def process_proof(leaf: bytes, proof: Sequence[str | bytes]) -> bytes:
    """Fold `proof` from `leaf` with the sorted-pair hash, as `MerkleProof.processProof` does."""
    node = leaf
    for sibling in proof:
        node = node_hash(node, _node_bytes(sibling))
    return node


def verify_proof(root: str | bytes, account: str | bytes, amount: int, proof: Sequence[str | bytes]) -> bool:
    """Return whether `proof` proves `(account, amount)` under `root` (each hash as hex or bytes)."""
    raw = account if isinstance(account, bytes) else parse_eth_address_with_checksum(account)[0]
    if type(amount) is not int or not 0 <= amount <= MAX_UINT256:
        raise ValueError(f"amount {amount!r} is not a uint256")
    return process_proof(leaf_hash(raw, amount), proof) == _node_bytes(root)


@dataclass(frozen=True)
class Multiproof:
    """Several values proven at once, in the order `MerkleProof.multiProofVerify` consumes them."""

    values: list[tuple[str, int]]
    proof: list[str]
    proof_flags: list[bool]


class StandardMerkleTree:
    """A built, or loaded and fully re-verified, distribution tree; immutable once made.

    Values keep their input order; addresses are held as 20 bytes and shown in EIP-55 form;
    amounts are ints. Accounts given to lookups are parsed as strictly as inputs.
    """

    __slots__ = ("_by_position", "_hex", "_tree", "_tree_index", "_values")

    def __init__(self, values: CheckedValues) -> None:
        """Build the tree of values that `swap.core.merkle_values` checked (see `of`, `load`)."""
        self._values = values
        self._tree, self._tree_index = _build(values.accounts, values.amounts)
        self._hex: list[str] | None = None
        self._by_position: list[int] | None = None

    @classmethod
    def of(cls, entries: Iterable[tuple[str | bytes, int]]) -> StandardMerkleTree:
        """Check `(address, amount)` entries (`merkle_values.check_entries`) and build their tree."""
        return cls(check_entries(entries))

    # -- reading -----------------------------------------------------------------------------

    @property
    def root(self) -> bytes:
        """The 32-byte root, as `MerkleProof` and the contract see it."""
        return self._tree[0]

    @property
    def root_hex(self) -> str:
        """The root as `0x` + 64 lowercase hex digits, as the JavaScript library prints it."""
        return "0x" + self._tree[0].hex()

    def __len__(self) -> int:
        return len(self._values.accounts)

    @property
    def values(self) -> list[tuple[str, int]]:
        """`(EIP-55 address, amount)` pairs in input order."""
        return list(zip(self._values.checksums, self._values.amounts, strict=True))

    @property
    def total(self) -> int:
        """The sum of all amounts: what the distributor must be able to pay out in this round."""
        return sum(self._values.amounts)

    def amount_of(self, account: str | bytes) -> int:
        """Return the cumulative amount of `account`; KeyError if it is not in the tree."""
        return self._values.amounts[self._value_index(account)]

    def proof(self, account: str | bytes) -> list[str]:
        """Return the proof of `account` (hex siblings, leaf first); KeyError if it is absent."""
        position = self._tree_index[self._value_index(account)]
        nodes = self._hex_nodes()
        proof = []
        while position > 0:
            proof.append(nodes[position - 1 if position % 2 == 0 else position + 1])
            position = (position - 1) // 2
        return proof

    def proofs(self) -> list[tuple[str, ...]]:
        """Return every value's proof, in input order, computed in one top-down sweep.

        The proof of a node is its sibling followed by its parent's proof, so walking the heap one
        level at a time makes each proof from its parent's with one tuple concatenation instead of
        one upward walk per leaf. All proofs share the tree's hex strings.
        """
        nodes = self._hex_nodes()
        size = len(nodes)
        first_leaf = len(self) - 1
        leaf_proofs: list[tuple[str, ...]] = [()] * len(self)
        parents: list[tuple[str, ...]] = [()]
        start = 1  # level d holds positions 2^d − 1 … 2^(d+1) − 2; `start` is a left child
        while start < size:
            end = min(2 * start + 1, size)
            level: list[tuple[str, ...]] = [()] * (end - start)
            level[0::2] = [(s,) + p for s, p in zip(nodes[start + 1 : end : 2], parents, strict=False)]
            level[1::2] = [(s,) + p for s, p in zip(nodes[start:end:2], parents, strict=False)]
            low = max(start, first_leaf)
            if low < end:
                leaf_proofs[low - first_leaf : end - first_leaf] = level[low - start :]
            parents = level
            start = 2 * start + 1
        return [leaf_proofs[position - first_leaf] for position in self._tree_index]

    def multiproof(self, accounts: Iterable[str | bytes]) -> Multiproof:
        """Return one multiproof for several accounts, exactly as the library's `getMultiProof`.

        `values` come back in the order the proof consumes them (descending tree position): a
        batch payout must pass them to the contract in that order.
        """
        positions = sorted({self._tree_index[self._value_index(a)] for a in accounts}, reverse=True)
        if not positions:
            raise ValueError("a multiproof needs at least one account")
        nodes = self._hex_nodes()
        queue = deque(positions)
        proof: list[str] = []
        flags: list[bool] = []
        while queue and queue[0] > 0:
            position = queue.popleft()
            sibling = position - 1 if position % 2 == 0 else position + 1
            if queue and queue[0] == sibling:
                flags.append(True)
                queue.popleft()
            else:
                flags.append(False)
                proof.append(nodes[sibling])
            queue.append((position - 1) // 2)
        value_at = self._values_by_position()
        first_leaf = len(self) - 1
        chosen = [value_at[p - first_leaf] for p in positions]
        values = [(self._values.checksums[i], self._values.amounts[i]) for i in chosen]
        return Multiproof(values=values, proof=proof, proof_flags=flags)

    # -- standard-v1 -------------------------------------------------------------------------

    def dump(self) -> dict[str, Any]:
        """Return the `standard-v1` dump as plain JSON data (amounts as decimal strings)."""
        return {
            "format": DUMP_FORMAT,
            "leafEncoding": list(LEAF_ENCODING),
            "tree": list(self._hex_nodes()),
            "values": [
                {"value": [address, str(amount)], "treeIndex": position}
                for address, amount, position in self._dump_rows()
            ],
        }

    def dumps(self) -> str:
        """Return the dump serialized exactly as `JSON.stringify(tree.dump())` does in JavaScript.

        Every string in a dump is hex or decimal, so nothing needs escaping and the text is joined
        directly: several times faster than `json.dumps` on a million values.
        """
        values = ",".join([f'{{"value":["{a}","{m}"],"treeIndex":{p}}}' for a, m, p in self._dump_rows()])
        return "".join(
            [
                '{"format":"standard-v1","leafEncoding":["address","uint256"],"tree":["',
                '","'.join(self._hex_nodes()),
                '"],"values":[',
                values,
                "]}",
            ]
        )

    @classmethod
    def load(cls, data: str | bytes | dict[str, Any]) -> StandardMerkleTree:
        """Load a `standard-v1` dump and verify all of it, or raise `MerkleDumpError` saying why.

        The values are checked as strictly as any input, the tree is rebuilt from them, and every
        hash and tree index must equal the dump's: a dump loads only if it is exactly what `of`
        makes from its values, in the standard sorted layout (addresses may differ in case only).
        """
        if isinstance(data, (str, bytes)):
            try:
                with _gc_paused():
                    data = json.loads(data)
            except ValueError as error:
                raise MerkleDumpError(f"not JSON: {error}") from None
        nodes, positions, pairs = _parse_dump(data)
        try:
            tree = cls(check_entries(pairs, locate=lambda i: f"values[{i}]", amounts_as_text=True))
        except MerkleInputError as error:
            raise MerkleDumpError(str(error)) from None
        for i, expected in enumerate(tree._hex_nodes()):
            if nodes[i] != expected:
                where = "the root" if i == 0 else f"tree[{i}]"
                raise MerkleDumpError(f"{where} is {nodes[i]!r} but the values hash to {expected}")
        for i, (claimed, actual) in enumerate(zip(positions, tree._tree_index, strict=True)):
            if claimed != actual:
                raise MerkleDumpError(f"values[{i}].treeIndex is {claimed} but its leaf is at {actual}")
        return tree

    # -- internals ---------------------------------------------------------------------------

    def _value_index(self, account: str | bytes) -> int:
        raw = account if isinstance(account, bytes) else parse_eth_address_with_checksum(account)[0]
        return self._values.index[raw]

    def _dump_rows(self) -> Iterator[tuple[str, int, int]]:
        return zip(self._values.checksums, self._values.amounts, self._tree_index, strict=True)

    def _values_by_position(self) -> list[int]:
        """Value index of each leaf, by leaf position minus the first leaf's position."""
        if self._by_position is None:
            first_leaf = len(self) - 1
            value_at = [0] * len(self)
            for i, position in enumerate(self._tree_index):
                value_at[position - first_leaf] = i
            self._by_position = value_at
        return self._by_position

    def _hex_nodes(self) -> list[str]:
        if self._hex is None:
            self._hex = ["0x" + node.hex() for node in self._tree]
        return self._hex


def _build(accounts: Sequence[bytes], amounts: Sequence[int]) -> tuple[list[bytes], list[int]]:
    """Hash the leaves, sort them, lay out the heap and hash the internal nodes.

    Returns the heap array (2n − 1 hashes, root first) and each value's position in it.
    """
    k = _keccak_256
    pad = _ADDRESS_PAD
    leaves = [
        k(k(pad + account + amount.to_bytes(32, "big")).digest()).digest()
        for account, amount in zip(accounts, amounts, strict=True)
    ]
    count = len(leaves)
    order = sorted(range(count), key=leaves.__getitem__)  # stable, like the library's sort
    # Sorted leaf k goes to position 2n − 2 − k: the leaves fill the end of the array, reversed.
    # (`map` over C-level getters and setters: a third of the time of the equivalent loops.)
    tree: list[bytes] = [b""] * (count - 1)
    tree += map(leaves.__getitem__, reversed(order))
    tree_index = [0] * count
    deque(map(tree_index.__setitem__, order, range(2 * count - 2, count - 2, -1)), maxlen=0)
    # The children of i are 2i + 1 and 2i + 2, both beyond i: one backward pass. (A plain loop
    # measured faster here than block-wise comprehensions over child pairs.)
    for i in range(count - 2, -1, -1):
        a = tree[2 * i + 1]
        b = tree[2 * i + 2]
        tree[i] = k(a + b if a < b else b + a).digest()
    return tree, tree_index


def _parse_dump(data: object) -> tuple[list[Any], list[int], list[tuple[object, object]]]:
    """Check the shape of a dump; return its tree, its values' tree indices and its value pairs."""
    if not isinstance(data, dict):
        raise MerkleDumpError("a dump is a JSON object")
    if set(data) != _DUMP_KEYS:
        raise MerkleDumpError(f"a dump has exactly the keys {', '.join(sorted(_DUMP_KEYS))}")
    if data["format"] != DUMP_FORMAT:
        raise MerkleDumpError(f"format is {data['format']!r}, not {DUMP_FORMAT!r}")
    if data["leafEncoding"] != list(LEAF_ENCODING):
        raise MerkleDumpError(f"leafEncoding is {data['leafEncoding']!r}, not ['address', 'uint256']")
    nodes, values = data["tree"], data["values"]
    if not isinstance(nodes, list) or not isinstance(values, list) or not values:
        raise MerkleDumpError("tree and values must be non-empty lists")
    if len(nodes) != 2 * len(values) - 1:
        raise MerkleDumpError(f"{len(values)} values need {2 * len(values) - 1} tree nodes, not {len(nodes)}")
    positions = []
    pairs: list[tuple[object, object]] = []
    for i, item in enumerate(values):
        if not isinstance(item, dict) or set(item) != {"value", "treeIndex"}:
            raise MerkleDumpError(f"values[{i}] is not an object with exactly value and treeIndex")
        value, position = item["value"], item["treeIndex"]
        if not isinstance(value, list) or len(value) != 2:
            raise MerkleDumpError(f"values[{i}].value is not [address, amount]")
        if type(position) is not int:
            raise MerkleDumpError(f"values[{i}].treeIndex is not an integer")
        positions.append(position)
        pairs.append((value[0], value[1]))
    return nodes, positions, pairs


def _node_bytes(node: str | bytes) -> bytes:
    if isinstance(node, bytes) and len(node) == 32:
        return node
    if isinstance(node, str) and len(node) == 66 and node.startswith("0x") and _LOWER_HEX.issuperset(node[2:].lower()):
        return bytes.fromhex(node[2:])
    raise ValueError(f"{node!r} is not a 32-byte hash")


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while making millions of short-lived containers.

    Parsing a 1M-value dump makes two million dicts and lists that die before `load` returns; the
    collections they trigger meanwhile would scan them again and again. Only for objects that die
    inside the block: survivors are scanned anyway once the collector is back, which is why the
    proof sweep, whose tuples survive, runs with the collector on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
