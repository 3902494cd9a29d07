"""The committed contract artifacts are exactly what the pinned compiler makes of the sources.

The service deploys and calls the contracts through swap/chain/artifacts/*.json; if a source,
a setting or the compiler changed without a rebuild, the chain would run other code than the
repository shows. `contracts/build.mjs --check` recompiles everything and compares byte for byte.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BUILD = REPO / "contracts" / "build.mjs"
ARTIFACTS = REPO / "swap" / "chain" / "artifacts"
CONTRACTS = {"SwapDistributor", "TestSESH", "MerkleDistributor"}


def run_build(*args):
    return subprocess.run(["node", str(BUILD), *args], capture_output=True, text=True, timeout=300, cwd=REPO)


def test_the_committed_artifacts_equal_a_fresh_compile():
    done = run_build("--check")
    assert done.returncode == 0, done.stderr


def test_the_check_fails_and_names_the_artifact_that_differs(tmp_path):
    copy = tmp_path / "artifacts"
    shutil.copytree(ARTIFACTS, copy)
    artifact = json.loads((copy / "SwapDistributor.json").read_text())
    artifact["bytecode"] = artifact["bytecode"][:-2] + "00"
    (copy / "SwapDistributor.json").write_text(json.dumps(artifact, indent=2, sort_keys=True) + "\n")
    (copy / "TestSESH.json").unlink()
    (copy / "Stale.json").write_text("{}\n")
    done = run_build("--check", "--dir", str(copy))
    assert done.returncode == 1
    assert "SwapDistributor.json: differs from a fresh compile" in done.stderr
    assert "TestSESH.json: missing" in done.stderr
    assert "Stale.json: no contract of that name" in done.stderr


def test_two_builds_write_identical_bytes(tmp_path):
    for name in ("a", "b"):
        assert run_build("--dir", str(tmp_path / name)).returncode == 0
    for contract in CONTRACTS:
        first = (tmp_path / "a" / f"{contract}.json").read_bytes()
        assert first == (tmp_path / "b" / f"{contract}.json").read_bytes()
        assert first == (ARTIFACTS / f"{contract}.json").read_bytes()


@pytest.mark.parametrize("contract", sorted(CONTRACTS))
def test_an_artifact_holds_abi_bytecode_and_what_it_was_built_from(contract):
    artifact = json.loads((ARTIFACTS / f"{contract}.json").read_text())
    assert artifact["contractName"] == contract
    assert artifact["sourceName"].startswith("contracts/") and not artifact["sourceName"].startswith("/")
    assert artifact["bytecode"].startswith("0x60") and artifact["deployedBytecode"].startswith("0x")
    assert artifact["compiler"]["version"].startswith("0.8.28+")
    assert artifact["compiler"]["settings"]["optimizer"] == {"enabled": True, "runs": 10000}
    assert artifact["compiler"]["settings"]["metadata"] == {"bytecodeHash": "none"}
    assert artifact["sourcesHash"].startswith("sha256:") and len(artifact["sourcesHash"]) == 7 + 64
    assert any(item["type"] == "constructor" for item in artifact["abi"])
