"""Build + all proofs + dump of a distribution tree: swap.core.merkle against OpenZeppelin's library.

    .venv/bin/python bench/merkle.py [--leaves 1000000] [--js-proof-sample 2000] [--repeats 3] [--skip-js]

One run, one data set: N random accounts (EIP-55) and amounts written to an `address,amount` CSV,
then, each in its own process so that peak memory is its own:
  1. Python: check the CSV (EIP-55 etc.), build, every proof, the standard-v1 dump (peak RSS taken
     here), then `load` of that dump. Then the build again, alternating with its Keccak floor, best
     of --repeats: the floor is the build's 3N − 1 hash calls on their exact inputs (N ABI encodings
     of 64 bytes, N hashes of 32 bytes, N − 1 child pairs of 64 bytes) alone in a loop, with the
     same binding; alternating keeps load from other processes on the machine fair to both.
  2. `@openzeppelin/merkle-tree` 1.0.8 under node (contracts/scripts/oz_tree.mjs): `of` (timed in
     full), `getProof` on a sample spread over the values, then `JSON.stringify(tree.dump())`.
     Its proofs are not all generated at large N (about 14 minutes at 1M here, per shared/merkle.md):
     the time of all proofs is EXTRAPOLATED from the sample, and the output says so.
First, the per-call cost of the Keccak bindings installed, on 32- and 64-byte inputs, which is why
the service binds safe-pysha3 (see swap/core/keccak.py). Goals (issue 9): ≥ 50× faster than the
library for build + all proofs + dump; the build within 2× of the Keccak floor. Prints numbers,
asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

OZ_TREE = REPO / "contracts" / "scripts" / "oz_tree.mjs"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def write_csv(path: Path, leaves: int, seed: int) -> None:
    from swap.core.eth_address import to_checksum_address

    rng = random.Random(seed)
    with path.open("w") as out:
        out.write("address,amount\n")
        for _ in range(leaves):
            out.write(f"{to_checksum_address(rng.randbytes(20))},{rng.randrange(10**17)}\n")


def bindings() -> None:
    """Per-call cost of each Keccak-256 binding importable here."""
    candidates = {}
    try:
        from sha3 import keccak_256 as pysha3

        candidates["safe-pysha3  sha3.keccak_256(x).digest()"] = lambda x: pysha3(x).digest()
    except ImportError:
        pass
    try:
        from Crypto.Hash import keccak as cryptodome

        candidates["pycryptodome keccak.new(digest_bits=256, data=x)"] = lambda x: cryptodome.new(
            digest_bits=256, data=x
        ).digest()
    except ImportError:
        pass
    try:
        from eth_hash.auto import keccak as eth_hash_auto

        candidates["eth-hash     eth_hash.auto.keccak(x)"] = eth_hash_auto
    except ImportError:
        pass
    from swap.core.keccak import keccak256

    candidates["service      swap.core.keccak.keccak256(x)"] = keccak256
    print("Keccak-256 bindings, CPU µs per call (best of 5 × 100,000):")
    data = {32: os.urandom(32), 64: os.urandom(64)}
    for name, fn in candidates.items():
        costs = [
            min(timeit.repeat(lambda f=fn, d=d: f(d), timer=time.process_time, number=100_000, repeat=5)) * 10
            for d in data.values()
        ]
        print(f"  {name:<52} 32 B {costs[0]:5.2f}   64 B {costs[1]:5.2f}")
    print()


def timed(work: Callable[[], Any]) -> tuple[Any, list[float]]:
    """Run `work`; return its result and [wall seconds, CPU seconds of this process]."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, [time.perf_counter() - wall, time.process_time() - cpu]


def python_worker(csv: Path, repeats: int) -> dict:
    """Run in a child process: every phase of the Python tree, timed, and the peak memory; then
    the build and its Keccak floor again, alternately, best of `repeats`."""
    from swap.core.merkle import StandardMerkleTree, _build
    from swap.core.merkle_values import read_csv

    text = csv.read_text()
    before = peak_rss_mb()
    t = {}
    checked, t["check"] = timed(partial(read_csv, text))
    del text
    tree, t["build"] = timed(partial(StandardMerkleTree, checked))
    proofs, t["proofs"] = timed(tree.proofs)
    dump, t["dump"] = timed(tree.dumps)
    peak = peak_rss_mb()
    loaded, t["load"] = timed(partial(StandardMerkleTree.load, dump))
    peak_with_load = peak_rss_mb()
    assert loaded.root == tree.root and len(proofs) == len(tree)
    root, dump_bytes = tree.root_hex, len(dump)
    del loaded, dump, proofs, tree

    builds, floors = [], []
    inputs = floor_inputs(checked.accounts, checked.amounts)
    for _ in range(repeats):
        builds.append(timed(lambda: _build(checked.accounts, checked.amounts))[1])
        floors.append(timed(lambda: keccak_floor(inputs))[1])
    return {
        "root": root,
        "times": t,
        "builds": builds,
        "floors": floors,
        "floor_calls": sum(len(batch) for batch in inputs),
        "rss_before_mb": before,
        "rss_peak_mb": peak,
        "rss_peak_with_load_mb": peak_with_load,
        "dump_bytes": dump_bytes,
    }


def floor_inputs(accounts: tuple[bytes, ...], amounts: tuple[int, ...]) -> list[list[bytes]]:
    """The exact inputs of the build's 3N − 1 Keccak calls: N ABI encodings (64 bytes), their N
    hashes (32 bytes) and the N − 1 sorted child pairs (64 bytes)."""
    from sha3 import keccak_256 as k

    from swap.core.merkle import _build

    encodings = [bytes(12) + a + m.to_bytes(32, "big") for a, m in zip(accounts, amounts, strict=True)]
    inner = [k(x).digest() for x in encodings]
    tree, _ = _build(accounts, amounts)
    children = zip(tree[1::2], tree[2::2], strict=True)
    pairs = [a + b if a < b else b + a for a, b in children]
    return [encodings, inner, pairs]


def keccak_floor(inputs: list[list[bytes]]) -> None:
    """The Keccak calls alone, with the build's binding (safe-pysha3's keccak_256)."""
    from sha3 import keccak_256 as k

    for batch in inputs:
        [k(x).digest() for x in batch]


def child(args: list[str]) -> dict:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def run_js(csv: Path, sample: int) -> dict:
    command = ["node", "--max-old-space-size=12288", str(OZ_TREE), "bench", str(csv), "--sample", str(sample)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def line(label: str, seconds: list[float], note: str = "") -> None:
    wall, cpu = seconds
    print(f"  {label:<44} {wall:9.2f} {cpu:9.2f}   {note}".rstrip())


def header(title: str) -> None:
    print(f"{title}\n  {'':<44} {'wall s':>9} {'CPU s':>9}")


def report(leaves: int, py: dict, js: dict | None) -> None:
    t = py["times"]
    ours_core = [t["build"][i] + t["proofs"][i] + t["dump"][i] for i in (0, 1)]
    ours_all = [t["check"][i] + ours_core[i] for i in (0, 1)]
    header(f"Python, swap.core.merkle, {leaves:,} leaves (root {py['root']})")
    line("check CSV (EIP-55, amounts, duplicates)", t["check"])
    line("build (leaves, sort, nodes)", t["build"])
    line(f"all {leaves:,} proofs (one sweep)", t["proofs"])
    line(f"standard-v1 dump ({py['dump_bytes'] / 1e6:,.0f} MB of JSON)", t["dump"])
    line("= build + all proofs + dump", ours_core)
    line("= with the CSV check", ours_all)
    line("load the dump back (re-hash, verify)", t["load"])
    print(
        f"  peak RSS {py['rss_peak_mb']:,.0f} MB through the dump ({py['rss_peak_with_load_mb']:,.0f} MB with load"
        f" alongside); {py['rss_before_mb']:,.0f} MB before building (interpreter + CSV text)"
    )
    print()
    build = min(py["builds"], key=lambda b: b[1])
    floor = min(py["floors"], key=lambda f: f[1])
    header(
        f"Build against its Keccak floor, alternately, best CPU of {len(py['builds'])}: the floor is the"
        f" {py['floor_calls']:,} calls of the build on their exact inputs, alone in a loop, same binding"
    )
    line("build", build, f"CPU runs: {', '.join(f'{b[1]:.2f}' for b in py['builds'])}")
    line("Keccak floor", floor, f"CPU runs: {', '.join(f'{f[1]:.2f}' for f in py['floors'])}")
    print(f"  build / floor = {build[1] / floor[1]:.2f}× in CPU time, {build[0] / floor[0]:.2f}× wall   (goal ≤ 2×)")
    print()
    if js is None:
        print("OpenZeppelin's library: skipped (--skip-js)")
        return
    sample = js["proofs_sampled"]
    per_proof = [js["proofs_sample_s"] / sample, js["proofs_sample_cpu_s"] / sample]
    all_proofs = [p * leaves for p in per_proof]
    js_build, js_dump = [js["build_s"], js["build_cpu_s"]], [js["dump_s"], js["dump_cpu_s"]]
    theirs = [js_build[i] + all_proofs[i] + js_dump[i] for i in (0, 1)]
    header(f"@openzeppelin/merkle-tree 1.0.8 on node, same CSV (root {js['root']})")
    line("StandardMerkleTree.of (timed in full)", js_build)
    line(
        f"all getProof, EXTRAPOLATED from {sample:,}",
        all_proofs,
        f"({sample:,} took {js['proofs_sample_s']:.2f} s wall: {1 / per_proof[0]:,.0f}/s)",
    )
    line("JSON.stringify(tree.dump())", js_dump)
    line("= build + all proofs + dump", theirs, "(proofs extrapolated)")
    print(f"  peak RSS {js['max_rss_kb'] / 1024:,.0f} MB (with a sample of proofs only)")
    print()
    print(f"roots equal: {js['root'] == py['root']}")
    print(f"speed-up over the library          {'wall':>7} {'CPU':>7}")
    for label, ours, lib in (
        ("build + all proofs + dump", ours_core, theirs),
        ("the same with our CSV checks", ours_all, theirs),
        ("build alone", t["build"], js_build),
    ):
        print(f"  {label:<32} {lib[0] / ours[0]:6.1f}× {lib[1] / ours[1]:6.1f}×")
    print("  (goal ≥ 50× for build + all proofs + dump)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--js-proof-sample", type=int, default=2_000, help="getProof calls timed in the library")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-js", action="store_true", help="leave out OpenZeppelin's library")
    parser.add_argument("--repeats", type=int, default=3, help="build and floor runs, alternately (best is kept)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(python_worker(Path(args.worker), args.repeats)))
        return

    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start (other work shares them)")
    bindings()
    with tempfile.TemporaryDirectory() as scratch:
        csv = Path(scratch) / "round.csv"
        write_csv(csv, args.leaves, args.seed)
        py = child(["--worker", str(csv), "--repeats", str(args.repeats)])
        js = None if args.skip_js else run_js(csv, min(args.js_proof_sample, args.leaves))
    report(args.leaves, py, js)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
