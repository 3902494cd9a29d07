"""Micro-benchmark of the pure Service Node Bonus arithmetic (no database).

Targets (issue 5): interval bookkeeping < 50 ms for an unchanged 2,000-node snapshot with up to
10 contributors each and < 500 ms for a changed one; accrual + split over 50,000 intervals,
10,000 addresses and 300,000 blocks < 2 s. Run: `.venv/bin/python bench/bonus_allocation_pure.py`.
"""

import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from swap.core.bonus_allocation import (  # noqa: E402
    StakeInterval,
    allocate_bonus,
    earning_stakes,
    interval_changes,
)

OXEN = 10**9


def best_of(runs: int, fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def snapshot_result(rnd: random.Random, nodes: int, height: int) -> dict:
    states = []
    for n in range(nodes):
        contributors = [
            {"address": f"L{rnd.randrange(10_000):05d}", "amount": rnd.randrange(1, 15_000) * OXEN}
            for _ in range(10)  # the HF19 maximum, the worst case
        ]
        states.append(
            {"service_node_pubkey": f"{n:064x}", "active": True, "funded": True, "contributors": contributors}
        )
    return {"height": height, "block_hash": "00" * 32, "service_node_states": states, "status": "OK"}


def main() -> None:
    rnd = random.Random(5)
    first = snapshot_result(rnd, 2_000, 1_000)
    parse_ms = best_of(5, lambda: earning_stakes(first))
    stakes = earning_stakes(first)
    unchanged = dict(stakes)
    changed = {key: amount + OXEN for key, amount in stakes.items()}  # every amount differs
    print(f"snapshot: 2,000 nodes, {len(stakes):,} stakes")
    print(f"  earning_stakes (parse)         {parse_ms:8.2f} ms")
    print(
        f"  interval_changes, unchanged    {best_of(20, lambda: interval_changes(stakes, unchanged, 1001)):8.2f} ms"
        "  (target < 50 ms)"
    )
    print(
        f"  interval_changes, all changed  {best_of(5, lambda: interval_changes(stakes, changed, 1001)):8.2f} ms"
        "  (target < 500 ms)"
    )

    start, final = 1_000_000, 1_300_000
    addresses = [f"L{i:05d}" for i in range(10_000)]
    intervals = []
    for i in range(50_000):
        address = addresses[i % len(addresses)]
        low = rnd.randrange(start - 10_000, final)
        high = rnd.choice([None, rnd.randrange(low + 1, final + 10_000)])
        intervals.append(StakeInterval(address, f"{i:064x}", rnd.randrange(1, 15_000) * OXEN, low, high))
    earn_from = {a: rnd.choice([start, rnd.randrange(start, final)]) for a in addresses}
    eth_of = {a: f"0x{rnd.randrange(8_000):040x}" for a in addresses}

    def allocate() -> None:
        allocate_bonus(
            intervals, earn_from=earn_from, eth_of=eth_of, start_height=start, final_height=final, at_height=final
        )

    print("allocation: 50,000 intervals, 10,000 addresses, 300,000 blocks")
    print(f"  allocate_bonus (check + accrue + split) {best_of(5, allocate):8.2f} ms  (target < 2,000 ms)")


if __name__ == "__main__":
    main()
