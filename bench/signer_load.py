"""What the development-key denylist adds to loading the L2 signer (issue 17, item 8).

Baseline, measured in the same run: `Account.from_key` alone, what loading a key cost before the
denylist (hex parsing and one point multiplication). Then `key_from_text` on chain 42161 twice:
cold, the first load in a process, which also derives the 300 refused mnemonic keys
(`swap.chain.signer.development_keys`, cached for the process), and warm, every later load (a set
lookup and the low-entropy checks). Each figure is the median of `--rounds` interleaved runs, the cold
one with the cache emptied before each run. A key on chain 31337 never pays for the derivation.

Run: `.venv/bin/python bench/signer_load.py [--rounds N]`.
"""

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "swap.settings")

import django  # noqa: E402

django.setup()

from eth_account import Account  # noqa: E402

from swap.chain.signer import development_keys, key_from_text  # noqa: E402


def timed(action) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    rounds = parser.parse_args().rounds
    key = "0x" + secrets.token_bytes(32).hex()
    samples: dict[str, list[float]] = {"baseline": [], "cold": [], "warm": []}
    for _ in range(rounds):  # interleaved, so a busy machine slows all three alike
        samples["baseline"].append(timed(lambda: Account.from_key(key)))
        development_keys.cache_clear()
        samples["cold"].append(timed(lambda: key_from_text(key, chain_id=42161)))
        samples["warm"].append(timed(lambda: key_from_text(key, chain_id=42161)))
    baseline, cold, warm = (statistics.median(samples[name]) for name in ("baseline", "cold", "warm"))
    print(f"refused mnemonic keys: {len(development_keys())}")
    print(f"baseline Account.from_key        {baseline * 1e3:8.3f} ms   1.00x")
    print(f"key_from_text, first in process  {cold * 1e3:8.3f} ms   {cold / baseline:5.2f}x")
    print(f"key_from_text, later loads       {warm * 1e3:8.3f} ms   {warm / baseline:5.2f}x")


if __name__ == "__main__":
    main()
