"""Same roots, proofs, multiproofs and dumps as OpenZeppelin's `@openzeppelin/merkle-tree`.

Each test runs the JavaScript library itself (node from PATH, the package from node_modules, as
`npm ci` installs it) through contracts/scripts/oz_tree.mjs on the very CSV file the Python side
reads, and compares the outputs byte for byte.
"""

import json
import random
import subprocess
from pathlib import Path

import pytest

from swap.core.eth_address import to_checksum_address
from swap.core.merkle import StandardMerkleTree
from swap.core.merkle_values import read_csv

REPO = Path(__file__).resolve().parents[2]
OZ_TREE = REPO / "contracts" / "scripts" / "oz_tree.mjs"
MAX_UINT256 = 2**256 - 1


def run_oz(*args):
    done = subprocess.run(["node", str(OZ_TREE), *map(str, args)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def write_csv(path, count, seed, form=to_checksum_address):
    rng = random.Random(seed)
    special = [0, 1, MAX_UINT256, 10**9]
    rows = [(form(rng.randbytes(20)), special[i] if i < len(special) else rng.randrange(10**26)) for i in range(count)]
    path.write_text("address,amount\n" + "".join(f"{a},{m}\n" for a, m in rows))
    return path


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 8, 13, 100, 1000])
def test_root_proofs_and_dump_equal_the_libraries_byte_for_byte(tmp_path, count):
    path = write_csv(tmp_path / "round.csv", count, seed=count)
    tree = StandardMerkleTree(read_csv(path.read_text()))
    rows = sorted(random.Random(count).sample(range(count), min(count, 7)))
    oz = run_oz("tree", path, "--multiproof", ",".join(map(str, rows)))
    assert tree.root_hex == oz["root"]
    assert [list(p) for p in tree.proofs()] == oz["proofs"]
    assert tree.dumps() == oz["dump"]
    multiproof = tree.multiproof([tree.values[i][0] for i in rows])
    assert [[a, str(m)] for a, m in multiproof.values] == oz["multiproof"]["leaves"]
    assert multiproof.proof == oz["multiproof"]["proof"]
    assert multiproof.proof_flags == oz["multiproof"]["proofFlags"]


def test_the_library_loads_our_dump_to_the_same_root_and_proofs(tmp_path):
    tree = StandardMerkleTree(read_csv(write_csv(tmp_path / "round.csv", 300, seed=7).read_text()))
    dump = tmp_path / "dump.json"
    dump.write_text(tree.dumps())
    oz = run_oz("load", dump)
    assert oz["root"] == tree.root_hex
    assert oz["proofs"] == [list(p) for p in tree.proofs()]


def test_lowercase_input_gives_the_same_tree_and_only_the_address_case_differs(tmp_path):
    path = write_csv(tmp_path / "round.csv", 50, seed=3, form=lambda raw: "0x" + raw.hex())
    tree = StandardMerkleTree(read_csv(path.read_text()))
    oz = run_oz("tree", path)
    assert tree.root_hex == oz["root"]
    assert [list(p) for p in tree.proofs()] == oz["proofs"]
    theirs = json.loads(oz["dump"])
    for item in theirs["values"]:
        item["value"][0] = to_checksum_address(bytes.fromhex(item["value"][0][2:]))
    assert theirs == tree.dump()
    assert StandardMerkleTree.load(oz["dump"]).dumps() == tree.dumps()
