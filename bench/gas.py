"""Gas of SwapDistributor claims and batch payouts, against two baselines deployed in the same run.

    .venv/bin/python bench/gas.py [--leaves 10000] [--samples 5] [--seed 1]

Starts anvil, deploys TestSESH, SwapDistributor and two baselines from the committed artifacts:
contracts/baseline/MerkleDistributor.sol (Uniswap's one-shot design: immutable root,
index/account/amount leaf, claimed bitmap) and contracts/baseline/CumulativeMerkleDrop.sol (1inch's
cumulative design: an updatable root the owner replaces at once, `cumulativeClaimed[account]`).
It builds every tree over the same accounts and amounts, and sends real transactions. Every
figure is a receipt's `gasUsed`: the whole transaction, 21,000 base and calldata included. Goals:
a claim costs at most 1.03x the Uniswap baseline's (issue 14: root safety may not make holders
pay), and, against the cumulative baseline of our own kind, what the proposal/delay/veto design
costs a claim; a payout batch of 100 costs at most 35,000 gas per recipient. Nothing is
asserted: it prints numbers.

"Fresh" recipients have never been paid and hold no SESH, so each payment writes two zero
storage slots (`claimed[account]` and the token balance): 2 × 22,100 gas (EIP-2929 cold access +
EIP-2200 zero → non-zero) before any logic. "Repeat" recipients were paid in round 1 and still
hold it, so round 2 rewrites both slots non-zero → non-zero: 2 × 5,000.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from eth_utils import keccak  # noqa: E402
from web3 import Web3  # noqa: E402
from web3.logs import DISCARD  # noqa: E402

from swap.chain.anvil import start_anvil  # noqa: E402
from swap.core.merkle import StandardMerkleTree  # noqa: E402

SESH = 10**9
BATCH_SIZES = (1, 10, 100)
FRESH_FLOOR = 2 * 22_100


def artifact(name: str) -> dict:
    return json.loads((REPO / "swap" / "chain" / "artifacts" / f"{name}.json").read_text())


class UniswapStyleTree:
    """The baseline's tree: leaf keccak256(abi.encodePacked(uint256 index, address, uint256)),
    leaves sorted and paired layer by layer with sorted-pair hashing, an odd last node promoted
    (the shape of Uniswap's merkle-distributor generator)."""

    def __init__(self, entries: list[tuple[str, int]]) -> None:
        self._build([
            keccak(i.to_bytes(32, "big") + bytes.fromhex(a[2:]) + m.to_bytes(32, "big"))
            for i, (a, m) in enumerate(entries)
        ])

    def _build(self, leaves: list[bytes]) -> None:
        self.layers = [sorted(leaves)]
        while len(self.layers[-1]) > 1:
            below = self.layers[-1]
            above = [keccak(b"".join(sorted(below[j : j + 2]))) for j in range(0, len(below) - 1, 2)]
            if len(below) % 2:
                above.append(below[-1])
            self.layers.append(above)
        self.position = {leaf: k for k, leaf in enumerate(self.layers[0])}
        self.leaves = leaves

    @property
    def root(self) -> bytes:
        return self.layers[-1][0]

    def proof(self, index: int) -> list[bytes]:
        k, proof = self.position[self.leaves[index]], []
        for layer in self.layers[:-1]:
            sibling = k ^ 1
            if sibling < len(layer):
                proof.append(layer[sibling])
            k //= 2
        return proof


class CumulativeStyleTree(UniswapStyleTree):
    """1inch's tree: leaf keccak256(abi.encodePacked(address, uint256)), sorted-pair hashing."""

    def __init__(self, entries: list[tuple[str, int]]) -> None:
        self._build([keccak(bytes.fromhex(a[2:]) + m.to_bytes(32, "big")) for a, m in entries])


class Bench:
    def __init__(self, node, leaves: int, seed: int) -> None:
        self.w3 = Web3(Web3.HTTPProvider(node.url))
        self.admin, self.publisher, self.sender = self.w3.eth.accounts[:3]
        self.node = node
        rng = random.Random(seed)
        self.accounts = [Web3.to_checksum_address(rng.randbytes(20)) for _ in range(leaves)]
        self.first = [rng.randrange(1, 10_000) * SESH for _ in range(leaves)]
        self.second = [m + rng.randrange(1, 1_000) * SESH for m in self.first]
        self.rng = rng
        self.token = self.deploy("TestSESH", 240_000_000 * SESH)[0]

    def deploy(self, name: str, *args):
        spec = artifact(name)
        factory = self.w3.eth.contract(abi=spec["abi"], bytecode=spec["bytecode"])
        receipt = self.send(factory.constructor(*args), self.admin)
        return self.w3.eth.contract(address=receipt.contractAddress, abi=spec["abi"]), receipt.gasUsed

    def send(self, call, sender=None):
        receipt = self.w3.eth.wait_for_transaction_receipt(call.transact({"from": sender or self.sender}))
        if receipt.status != 1:
            raise RuntimeError("transaction reverted")
        return receipt

    def fund(self, contract, amount: int) -> None:
        self.send(self.token.functions.transfer(contract.address, amount), self.admin)

    def publish(self, distributor, tree: StandardMerkleTree, round_id: int) -> None:
        """Propose, move the clock past the activation delay, activate."""
        fn = distributor.functions
        self.send(fn.proposeRoot(tree.root, round_id, tree.total, len(tree)), self.publisher)
        self.node.rpc("evm_increaseTime", [hex(fn.activationDelay().call())])
        self.node.rpc("evm_mine")
        self.send(fn.activateRoot())


def median_and_range(values: list[int]) -> str:
    return f"{statistics.median(values):>9,.0f}  ({min(values):,}–{max(values):,})"


def run(leaves: int, samples: int, seed: int) -> None:
    node = start_anvil()
    try:
        bench = Bench(node, leaves, seed)
        print(f"anvil {bench.w3.client_version}, {leaves:,} accounts per tree, seed {seed}")

        ours, ours_deploy = bench.deploy("SwapDistributor", bench.token.address, bench.admin, 0, 3600)
        fn = ours.functions
        bench.send(fn.grantRole(fn.PUBLISHER_ROLE().call(), bench.publisher), bench.admin)
        bench.fund(ours, sum(bench.second))
        round1 = StandardMerkleTree.of(list(zip(bench.accounts, bench.first, strict=True)))
        bench.publish(ours, round1, 1)

        base_tree = UniswapStyleTree(list(zip(bench.accounts, bench.first, strict=True)))
        baseline, base_deploy = bench.deploy("MerkleDistributor", bench.token.address, base_tree.root)
        bench.fund(baseline, sum(bench.first))

        cumulative1 = CumulativeStyleTree(list(zip(bench.accounts, bench.first, strict=True)))
        cumulative2 = CumulativeStyleTree(list(zip(bench.accounts, bench.second, strict=True)))
        # A token of its own, so the recipients measured on both distributors are fresh on both.
        drop_token = bench.deploy("TestSESH", 240_000_000 * SESH)[0]
        drop, drop_deploy = bench.deploy("CumulativeMerkleDrop", drop_token.address)
        bench.send(drop.functions.setMerkleRoot(cumulative1.root), bench.admin)
        bench.send(drop_token.functions.transfer(drop.address, sum(bench.second)), bench.admin)

        round2 = StandardMerkleTree.of(list(zip(bench.accounts, bench.second, strict=True)))
        picks = Picks(leaves, bench.rng)
        largest_first = sorted(BATCH_SIZES, reverse=True)
        adjacent1 = {size: picks.adjacent(size, round1, measured_in=1) for size in largest_first}
        adjacent2 = {size: picks.adjacent(size, round2, measured_in=2) for size in largest_first}
        scattered = {size: picks.scattered(size) for size in BATCH_SIZES}
        singles = picks.scattered(samples)
        base_first, base_same = picks.bitmap_pairs(samples)

        def claim(tree: StandardMerkleTree, amounts: list[int], i: int) -> int:
            account = bench.accounts[i]
            return bench.send(fn.claim(account, amounts[i], tree.proof(account))).gasUsed

        def base_claim(i: int) -> int:
            call = baseline.functions.claim(i, bench.accounts[i], bench.first[i], base_tree.proof(i))
            return bench.send(call).gasUsed

        def drop_claim(tree: CumulativeStyleTree, amounts: list[int], i: int) -> int:
            call = drop.functions.claim(bench.accounts[i], amounts[i], tree.root, tree.proof(i))
            return bench.send(call).gasUsed

        def payout(tree: StandardMerkleTree, indices: list[int]) -> tuple[int, int]:
            multiproof = tree.multiproof([bench.accounts[i] for i in indices])
            values = multiproof.values
            call = fn.claimMany(
                tree.root, [a for a, _ in values], [m for _, m in values], multiproof.proof, multiproof.proof_flags
            )
            receipt = bench.send(call)
            if len(ours.events.Claimed().process_receipt(receipt, errors=DISCARD)) != len(indices):
                raise RuntimeError("a batch did not pay every recipient")
            return receipt.gasUsed, len(bench.w3.eth.get_transaction(receipt.transactionHash).input)

        # Round 1: every recipient measured is fresh (never paid, holds no SESH).
        gas = {"ours fresh": [claim(round1, bench.first, i) for i in singles]}
        gas["baseline first-in-word"] = [base_claim(i) for i in base_first]
        gas["baseline same-word"] = [base_claim(i) for i in base_same]
        gas["cumulative fresh"] = [drop_claim(cumulative1, bench.first, i) for i in singles]
        batches = {}
        for size in BATCH_SIZES:
            batches[("fresh", "scattered", size)] = payout(round1, scattered[size])
            batches[("fresh", "adjacent", size)] = payout(round1, adjacent1[size])
        # Not measured: pays round 2's neighbour blocks in round 1, so they are repeat recipients.
        unpaid = [i for size in BATCH_SIZES for i in adjacent2[size] if not fn.claimed(bench.accounts[i]).call()]
        for start in range(0, len(unpaid), 50):
            payout(round1, unpaid[start : start + 50])

        # Round 2: every cumulative amount rises; recipients paid in round 1 get the difference and
        # still hold what round 1 paid them. "adjacent" = neighbours in round 2's tree.
        bench.publish(ours, round2, 2)
        bench.send(drop.functions.setMerkleRoot(cumulative2.root), bench.admin)
        gas["ours repeat"] = [claim(round2, bench.second, i) for i in singles]
        gas["cumulative repeat"] = [drop_claim(cumulative2, bench.second, i) for i in singles]
        for size in BATCH_SIZES:
            batches[("repeat", "scattered", size)] = payout(round2, scattered[size])
            batches[("repeat", "adjacent", size)] = payout(round2, adjacent2[size])

        deploys = {"SwapDistributor": ours_deploy, "Uniswap-style": base_deploy, "cumulative 1inch-style": drop_deploy}
        print_report(deploys, gas, batches, round1)
    finally:
        node.stop()


class Picks:
    """Recipients for each measurement, so that everyone measured as fresh or repeat really is.

    Round 1 and round 2 each need disjoint sets of recipients; a round-2 block of neighbours
    may overlap round-1 sets (its members are all paid in round 1 before round 2 starts).
    """

    def __init__(self, leaves: int, rng: random.Random) -> None:
        self.free = {1: set(range(leaves)), 2: set(range(leaves))}
        self.rng = rng

    def _take(self, indices: list[int], rounds: tuple[int, ...]) -> list[int]:
        for r in rounds:
            if not self.free[r].issuperset(indices):
                raise RuntimeError("recipient picked twice; use more --leaves")
            self.free[r].difference_update(indices)
        return indices

    def adjacent(self, size: int, tree: StandardMerkleTree, measured_in: int) -> list[int]:
        """`size` accounts whose leaves are neighbours in `tree` (they share subtrees)."""
        positions = [v["treeIndex"] for v in tree.dump()["values"]]
        tree_order = sorted(range(len(positions)), key=positions.__getitem__)
        offset = self.rng.randrange(len(tree_order) - size)
        for start in [*range(offset, len(tree_order) - size), *range(offset)]:
            block = tree_order[start : start + size]
            if self.free[measured_in].issuperset(block):
                return self._take(block, (measured_in,))
        raise RuntimeError("no free block of adjacent leaves; use more --leaves")

    def scattered(self, size: int) -> list[int]:
        """`size` random accounts, measured in both rounds."""
        both = self.free[1] & self.free[2]
        return self._take(self.rng.sample(sorted(both), size), (1, 2))

    def bitmap_pairs(self, count: int) -> tuple[list[int], list[int]]:
        """Pairs of indices sharing a baseline bitmap word (256 indices per word), for round 1."""
        firsts, seconds = [], []
        words = sorted({i // 256 for i in self.free[1]})
        self.rng.shuffle(words)
        for word in words:
            free = sorted(i for i in self.free[1] if i // 256 == word)
            if len(free) >= 2:
                a, b = self.rng.sample(free, 2)
                firsts.append(a)
                seconds.append(b)
                self._take([a, b], (1,))
            if len(firsts) == count:
                return firsts, seconds
        raise RuntimeError("not enough bitmap words; use more --leaves")


CLAIM_GOAL = 1.03  # issue 14: at most 1.03x the Uniswap baseline's claim


def print_report(deploys: dict[str, int], gas: dict, batches: dict, tree: StandardMerkleTree) -> None:
    depth = sorted({len(p) for p in tree.proofs()})
    shown = ", ".join(f"{name} {used:,}" for name, used in deploys.items())
    print(f"proof lengths in the standard tree: {depth}; deployment gas: {shown}")
    print()
    print("single claim: gasUsed of the whole transaction, median (min–max)")
    for label in ("ours fresh", "ours repeat", "baseline first-in-word", "baseline same-word", "cumulative fresh",
                  "cumulative repeat"):
        print(f"  {label:<24} {median_and_range(gas[label])}")
    med = {label: statistics.median(values) for label, values in gas.items()}
    print(f"against the Uniswap-style baseline (goal: at most {CLAIM_GOAL}x):")
    for ours in ("ours fresh", "ours repeat"):
        for base in ("baseline first-in-word", "baseline same-word"):
            ratio = med[ours] / med[base]
            verdict = "meets" if ratio <= CLAIM_GOAL else "misses"
            print(f"  {ours} / {base}: {ratio:.3f} ({med[ours] - med[base]:+,.0f} gas) → {verdict} the goal")
    print("against the cumulative baseline with an updatable root (1inch's design, same kind as ours):")
    for kind in ("fresh", "repeat"):
        ratio = med[f"ours {kind}"] / med[f"cumulative {kind}"]
        print(f"  ours {kind} / cumulative {kind}: {ratio:.3f} ({med[f'ours {kind}'] - med[f'cumulative {kind}']:+,.0f}"
              " gas)")
    print(
        "  (the Uniswap baseline has no second round: a new round is a new deployment, whose claims cost the baseline"
        " rows above; ours pays one cold read of the updatable root, 2,100 gas, that an immutable root avoids)"
    )
    print()
    print("batch payouts, claimMany with one multiproof: per recipient = gasUsed / batch size")
    print(f"  {'recipients':<10} {'layout':<10} {'size':>4} {'gasUsed':>11} {'per recipient':>14} {'calldata B':>11}")
    for (kind, layout, size), (used, calldata) in sorted(batches.items()):
        print(f"  {kind:<10} {layout:<10} {size:>4} {used:>11,} {used / size:>14,.0f} {calldata:>11,}")
    print()
    for kind in ("fresh", "repeat"):
        for layout in ("scattered", "adjacent"):
            per = batches[(kind, layout, 100)][0] / 100
            verdict = "meets" if per <= 35_000 else "misses"
            print(f"  goal ≤ 35,000 gas per recipient at 100 a batch, {kind}, {layout}: {per:,.0f} → {verdict}")
    print(
        f"  (fresh: the zero → non-zero writes of claimed[account] and of the token balance alone cost"
        f" {FRESH_FLOOR:,} per recipient with a standard ERC-20)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leaves", type=int, default=10_000, help="accounts per tree (default 10,000)")
    parser.add_argument("--samples", type=int, default=5, help="single claims measured per case (default 5)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    run(args.leaves, args.samples, args.seed)


if __name__ == "__main__":
    main()
