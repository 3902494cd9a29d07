"""`manage.py merkle_root`: the root of a CSV, its standard-v1 dump, one readable line on error."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from swap.core.eth_address import to_checksum_address
from swap.core.merkle import StandardMerkleTree

REPO = Path(__file__).resolve().parents[1]
ENTRIES = [(to_checksum_address(bytes([i]) * 20), i * 1_000_000_000) for i in range(1, 40)]


def merkle_root(*args):
    return subprocess.run(
        [sys.executable, "manage.py", "merkle_root", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )


def write_csv(path, entries=ENTRIES, header="address,amount"):
    path.write_text(header + "\n" + "".join(f"{a},{m}\n" for a, m in entries))
    return path


def test_it_prints_the_root_of_the_csv(tmp_path):
    done = merkle_root("--csv", write_csv(tmp_path / "round.csv"))
    assert done.returncode == 0, done.stderr
    assert done.stdout == StandardMerkleTree.of(ENTRIES).root_hex + "\n"
    assert done.stderr == ""


def test_it_writes_the_dump_that_openzeppelins_library_writes(tmp_path):
    csv = write_csv(tmp_path / "round.csv")
    done = merkle_root("--csv", csv, "--dump", tmp_path / "round.json")
    assert done.returncode == 0, done.stderr
    oz = subprocess.run(
        ["node", str(REPO / "contracts" / "scripts" / "oz_tree.mjs"), "tree", str(csv)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    written = (tmp_path / "round.json").read_text()
    assert written == json.loads(oz.stdout)["dump"]
    assert StandardMerkleTree.load(written).root_hex == done.stdout.strip()
    assert not (tmp_path / "round.json.partial").exists()


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        ([f"{ENTRIES[0][0]},5", f"{ENTRIES[1][0]},05"], "line 3: amount '05' is not a plain decimal"),
        (
            [f"{ENTRIES[0][0]},5", f"{ENTRIES[0][0].lower()},6"],
            f"line 3: {ENTRIES[0][0]} already has an amount at line 2",
        ),
        (["0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed,5"], "line 2: .* fails the EIP-55 checksum"),
        ([f"{ENTRIES[0][0]},{2**256}"], "line 2: amount .* is outside 0 … 2\\^256 − 1"),
    ],
)
def test_a_bad_csv_gives_one_line_naming_the_problem_and_exit_1(tmp_path, lines, reason):
    csv = tmp_path / "bad.csv"
    csv.write_text("address,amount\n" + "\n".join(lines) + "\n")
    done = merkle_root("--csv", csv, "--dump", tmp_path / "never.json")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"error: {csv}: ")
    assert re.search(reason, done.stderr), done.stderr
    assert not (tmp_path / "never.json").exists()


def test_an_unreadable_or_binary_file_is_one_line_too(tmp_path):
    missing = merkle_root("--csv", tmp_path / "missing.csv")
    assert (missing.returncode, missing.stderr) == (
        1,
        f"error: cannot read {tmp_path / 'missing.csv'}: No such file or directory\n",
    )
    (binary := tmp_path / "binary.csv").write_bytes(b"address,amount\n\xff\xfe\n")
    done = merkle_root("--csv", binary)
    assert (done.returncode, done.stderr) == (1, f"error: {binary} is not UTF-8 text (byte 15)\n")
