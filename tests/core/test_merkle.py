"""The standard Merkle tree: hashing, layout, proofs, multiproofs and standard-v1 dumps.

Layout and hashing are checked against a deliberately naive rebuild written from the text of
`shared/merkle.md` with eth-abi and eth-utils (independent ABI encoding and Keccak); agreement
with OpenZeppelin's own JavaScript library is in test_merkle_oz.py.
"""

import json
import random

import pytest
from eth_abi import encode
from eth_utils import keccak
from hypothesis import given, settings
from hypothesis import strategies as st

from swap.core.eth_address import to_checksum_address
from swap.core.merkle import (
    MerkleDumpError,
    StandardMerkleTree,
    leaf_hash,
    node_hash,
    process_proof,
    verify_proof,
)

MAX_UINT256 = 2**256 - 1


def naive_tree(entries):
    """The layout of shared/merkle.md, step by step, with independent encoding and hashing."""
    leaves = [keccak(keccak(encode(["address", "uint256"], [address, amount]))) for address, amount in entries]
    order = sorted(range(len(leaves)), key=lambda i: leaves[i])
    size = 2 * len(leaves) - 1
    tree = [None] * size
    for k, i in enumerate(order):
        tree[size - 1 - k] = leaves[i]
    for i in range(len(leaves) - 2, -1, -1):
        a, b = sorted([tree[2 * i + 1], tree[2 * i + 2]])
        tree[i] = keccak(a + b)
    positions = [size - 1 - order.index(i) for i in range(len(leaves))]
    return tree, positions


def naive_proof(tree, position):
    proof = []
    while position > 0:
        sibling = position + 1 if position % 2 == 1 else position - 1
        proof.append("0x" + tree[sibling].hex())
        position = (position - 1) // 2
    return proof


def random_entries(count, seed=0):
    rng = random.Random(seed)
    return [(to_checksum_address(rng.randbytes(20)), rng.randrange(10**24)) for _ in range(count)]


addresses = st.binary(min_size=20, max_size=20).filter(any).map(to_checksum_address)
amounts = st.integers(min_value=0, max_value=MAX_UINT256)
entry_lists = st.lists(st.tuples(addresses, amounts), min_size=1, max_size=40, unique_by=lambda e: e[0])


def test_a_leaf_is_the_double_keccak_of_the_abi_encoding():
    account = bytes.fromhex("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")
    amount = 123_456_789 * 10**9
    assert leaf_hash(account, amount) == keccak(keccak(encode(["address", "uint256"], [account, amount])))


def test_a_node_hashes_its_children_in_ascending_order():
    low, high = bytes(31) + b"\x01", b"\xff" * 32
    assert node_hash(low, high) == node_hash(high, low) == keccak(low + high)


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33, 100])
def test_layout_and_proofs_match_the_written_format(count):
    entries = random_entries(count, seed=count)
    tree = StandardMerkleTree.of(entries)
    expected, positions = naive_tree(entries)
    assert tree.dump()["tree"] == ["0x" + node.hex() for node in expected]
    assert [v["treeIndex"] for v in tree.dump()["values"]] == positions
    assert tree.root == expected[0]
    for (address, _), position in zip(entries, positions, strict=True):
        assert tree.proof(address) == naive_proof(expected, position)


def test_a_single_entry_is_its_own_root_with_an_empty_proof():
    ((address, amount),) = entries = random_entries(1)
    tree = StandardMerkleTree.of(entries)
    assert tree.root == leaf_hash(bytes.fromhex(address[2:]), amount)
    assert tree.proof(address) == []
    assert tree.proofs() == [()]


@settings(max_examples=60, deadline=None)
@given(entry_lists)
def test_every_proof_verifies_against_the_root(entries):
    tree = StandardMerkleTree.of(entries)
    proofs = tree.proofs()
    for (address, amount), proof in zip(entries, proofs, strict=True):
        assert list(proof) == tree.proof(address)
        assert verify_proof(tree.root_hex, address, amount, proof)
        assert verify_proof(tree.root, address.lower(), amount, [bytes.fromhex(p[2:]) for p in proof])


@settings(max_examples=60, deadline=None)
@given(entry_lists, st.data())
def test_changing_the_amount_or_the_address_breaks_the_proof(entries, data):
    tree = StandardMerkleTree.of(entries)
    address, amount = data.draw(st.sampled_from(entries))
    proof = tree.proof(address)
    other_amount = data.draw(amounts.filter(lambda a: a != amount))
    assert not verify_proof(tree.root, address, other_amount, proof)
    other_address = data.draw(addresses.filter(lambda a: a != address))
    assert not verify_proof(tree.root, other_address, amount, proof)


@settings(max_examples=60, deadline=None)
@given(entry_lists, st.randoms(use_true_random=False))
def test_the_root_does_not_depend_on_input_order(entries, rng):
    shuffled = list(entries)
    rng.shuffle(shuffled)
    tree, reordered = StandardMerkleTree.of(entries), StandardMerkleTree.of(shuffled)
    assert tree.root == reordered.root
    assert tree.dump()["tree"] == reordered.dump()["tree"]
    for address, _ in entries:
        assert tree.proof(address) == reordered.proof(address)


def process_multiproof(leaves, proof, flags):
    """MerkleProof.processMultiProof of @openzeppelin/contracts 5.x, restated for the test."""
    assert len(leaves) + len(proof) == len(flags) + 1
    queue, proof = list(leaves), [bytes.fromhex(p[2:]) for p in proof]
    hashes = []
    leaf_pos = hash_pos = proof_pos = 0

    def pop():
        nonlocal leaf_pos, hash_pos
        if leaf_pos < len(queue):
            leaf_pos += 1
            return queue[leaf_pos - 1]
        hash_pos += 1
        return hashes[hash_pos - 1]

    for flag in flags:
        a = pop()
        if flag:
            b = pop()
        else:
            b, proof_pos = proof[proof_pos], proof_pos + 1
        hashes.append(node_hash(a, b))
    assert proof_pos == len(proof)
    return hashes[-1] if flags else (queue[0] if queue else proof[0])


@settings(max_examples=60, deadline=None)
@given(entry_lists, st.data())
def test_a_multiproof_proves_its_values_in_the_order_it_gives(entries, data):
    tree = StandardMerkleTree.of(entries)
    chosen = data.draw(st.lists(st.sampled_from(entries), min_size=1, unique=True))
    multiproof = tree.multiproof([address for address, _ in chosen])
    assert sorted(multiproof.values) == sorted(chosen)
    leaves = [leaf_hash(bytes.fromhex(a[2:]), m) for a, m in multiproof.values]
    assert process_multiproof(leaves, multiproof.proof, multiproof.proof_flags) == tree.root


def test_lookups_accept_any_valid_form_of_the_account_and_refuse_strangers():
    entries = random_entries(5)
    tree = StandardMerkleTree.of(entries)
    address, amount = entries[3]
    assert tree.amount_of(address.lower()) == amount
    assert tree.amount_of(bytes.fromhex(address[2:])) == amount
    assert tree.proof(address.lower()) == tree.proof(address)
    with pytest.raises(KeyError):
        tree.proof("0x" + "11" * 20)
    with pytest.raises(ValueError):
        tree.multiproof([])


def test_values_total_and_dump_keep_the_input_order_in_eip55_form():
    entries = random_entries(6)
    tree = StandardMerkleTree.of([(a.lower(), m) for a, m in entries])
    assert tree.values == entries
    assert tree.total == sum(m for _, m in entries)
    assert [v["value"] for v in tree.dump()["values"]] == [[a, str(m)] for a, m in entries]


@pytest.mark.parametrize("count", [1, 2, 3, 10, 64, 65])
def test_dumps_is_the_compact_json_of_dump(count):
    tree = StandardMerkleTree.of(random_entries(count))
    assert tree.dumps() == json.dumps(tree.dump(), separators=(",", ":"))
    assert list(json.loads(tree.dumps())) == ["format", "leafEncoding", "tree", "values"]


@pytest.mark.parametrize("count", [1, 2, 5, 32, 33])
def test_a_dump_loads_back_to_the_same_tree(count):
    tree = StandardMerkleTree.of(random_entries(count))
    for data in (tree.dumps(), tree.dumps().encode(), tree.dump()):
        loaded = StandardMerkleTree.load(data)
        assert loaded.dumps() == tree.dumps()
        assert loaded.proofs() == tree.proofs()


def test_a_dump_with_lowercase_addresses_loads_and_dumps_in_eip55_form():
    tree = StandardMerkleTree.of(random_entries(4))
    data = tree.dump()
    for item in data["values"]:
        item["value"][0] = item["value"][0].lower()
    assert StandardMerkleTree.load(data).dumps() == tree.dumps()


def tampered(mutate, count=6):
    data = StandardMerkleTree.of(random_entries(count)).dump()
    mutate(data)
    return data


def swap_tree_indices(data):
    data["values"][0]["treeIndex"], data["values"][1]["treeIndex"] = (
        data["values"][1]["treeIndex"],
        data["values"][0]["treeIndex"],
    )


def unsorted_leaves(data):
    """Two leaves swapped in the array and their tree indices with them: the JavaScript library's
    `load` accepts this (it only re-hashes), but it is not the layout `of` makes."""
    tree = data["tree"]
    tree[-1], tree[-2] = tree[-2], tree[-1]
    for item in data["values"]:
        if item["treeIndex"] in (len(tree) - 1, len(tree) - 2):
            item["treeIndex"] = (2 * len(tree) - 3) - item["treeIndex"]


def set_value(i, field, change):
    """Mutation: replace values[i].value[field] (0 address, 1 amount) by change(old values)."""

    def mutate(data):
        data["values"][i]["value"][field] = change(data["values"])

    return mutate


def set_node(i, node):
    return lambda data: data["tree"].__setitem__(i, node(data["tree"][i]))


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (set_value(2, 1, lambda v: str(int(v[2]["value"][1]) + 1)), "values hash"),
        (set_value(2, 0, lambda v: "0x" + "12" * 20), "values hash"),
        (set_node(0, lambda old: "0x" + "ab" * 32), "the root is"),
        (set_node(3, lambda old: "0x" + "ab" * 32), r"tree\[3\]"),
        (set_node(3, lambda old: "0x" + old[2:].upper()), r"tree\[3\]"),
        (swap_tree_indices, "treeIndex"),
        (unsorted_leaves, "values hash"),
        (lambda d: d.__setitem__("format", "simple-v1"), "format"),
        (lambda d: d.__setitem__("leafEncoding", ["address", "uint128"]), "leafEncoding"),
        (lambda d: d.__setitem__("extra", 1), "exactly the keys"),
        (lambda d: d.pop("values"), "exactly the keys"),
        (lambda d: d["tree"].pop(), "need 11 tree nodes"),
        (lambda d: d["values"][1].__setitem__("treeIndex", "7"), "not an integer"),
        (lambda d: d["values"][1].__setitem__("hash", "0x00"), "exactly value and treeIndex"),
        (lambda d: d["values"][1]["value"].pop(), r"\[address, amount\]"),
        (set_value(1, 1, lambda v: "0" + v[1]["value"][1]), r"values\[1\]: amount"),
        (set_value(1, 1, lambda v: int(v[1]["value"][1])), r"values\[1\]: amount"),
        (set_value(4, 0, lambda v: v[1]["value"][0].lower()), r"values\[4\]: .* values\[1\]"),
        (set_value(4, 0, lambda v: "0x" + "00" * 20), r"values\[4\]: the zero address"),
    ],
)
def test_load_refuses_a_tampered_dump_and_says_why(mutate, reason):
    with pytest.raises(MerkleDumpError, match=reason):
        StandardMerkleTree.load(tampered(mutate))


@pytest.mark.parametrize("data", ["", "{", "[]", '"standard-v1"', b"\xff"])
def test_load_refuses_what_is_not_a_dump_object(data):
    with pytest.raises(MerkleDumpError):
        StandardMerkleTree.load(data)


def test_process_proof_refuses_malformed_hashes():
    with pytest.raises(ValueError, match="32-byte hash"):
        process_proof(bytes(32), ["0x1234"])
    with pytest.raises(ValueError, match="uint256"):
        verify_proof(bytes(32), "0x" + "11" * 20, -1, [])
