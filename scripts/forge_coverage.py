"""Coverage gate for the distributor: `forge coverage` of contracts/SwapDistributor.sol, failing below the thresholds.

    python scripts/forge_coverage.py [--lines 95] [--branches 90]

Runs forge (node_modules/.bin/forge, foundry.toml's compiler: contracts/solc.mjs) over the unit and fuzz
tests, prints its summary and exits 1 when SwapDistributor's line or branch coverage is below the
threshold, or when the summary has no row for it. The invariant, gas and bytecode tests are left out:
the invariants add no line the unit tests miss and cost minutes, and `forge coverage` compiles without
the optimizer, so the bytecode check (contracts/test/Bytecode.t.sol) cannot hold under it.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FORGE = REPO / "node_modules" / ".bin" / "forge"
TARGET = "contracts/SwapDistributor.sol"
COMMAND = [
    str(FORGE), "coverage", "--report", "summary",
    "--no-match-coverage", "contracts/(test|baseline)/",
    "--no-match-contract", "Invariant|Bytecode|GasTest",
]
# Coverage needs every branch reached, not 5,000 runs of each fuzz test.
FUZZ_RUNS = "64"
ROW = re.compile(r"^\|\s*(?P<file>\S+)\s*\|(?P<cells>.*)\|\s*$")
CELL = re.compile(r"(?P<percent>[\d.]+)%\s*\((?P<hit>\d+)/(?P<total>\d+)\)")


def coverage_of(summary: str, target: str = TARGET) -> dict[str, tuple[int, int]]:
    """The (hit, total) counts of `target`'s row in forge's summary table, by column name."""
    header: list[str] | None = None
    for line in summary.splitlines():
        match = ROW.match(line.strip())
        if not match:
            continue
        cells = [cell.strip() for cell in match["cells"].split("|")]
        if match["file"] == "File":
            header = [cell.removeprefix("% ").lower() for cell in cells]
        elif match["file"] == target and header is not None:
            counts = {}
            for name, cell in zip(header, cells, strict=True):
                found = CELL.search(cell)
                if found:
                    counts[name] = (int(found["hit"]), int(found["total"]))
            return counts
    raise ValueError(f"forge's coverage summary has no row for {target}")


def verdicts(counts: dict[str, tuple[int, int]], minimums: dict[str, float]) -> list[str]:
    """One line per gated column: its figure against its minimum; a line starting with FAIL fails the gate."""
    lines = []
    for column, minimum in minimums.items():
        hit, total = counts[column]
        percent = 100.0 if total == 0 else 100.0 * hit / total
        verdict = "ok" if percent >= minimum else "FAIL"
        lines.append(f"{verdict}: {column} {percent:.2f}% ({hit}/{total}), at least {minimum:g}% required")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=float, default=95.0, help="minimum line coverage in percent")
    parser.add_argument("--branches", type=float, default=90.0, help="minimum branch coverage in percent")
    args = parser.parse_args()
    env = {**os.environ, "FOUNDRY_FUZZ_RUNS": FUZZ_RUNS}
    done = subprocess.run(COMMAND, cwd=REPO, env=env, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        sys.stdout.write(done.stdout[-5000:])
        sys.stderr.write(done.stderr[-5000:])
        print(f"forge coverage failed (exit {done.returncode})", file=sys.stderr)
        return 1
    table = [line for line in done.stdout.splitlines() if line.startswith(("|", "╭", "╰", "+"))]
    print("\n".join(table))
    try:
        counts = coverage_of(done.stdout)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 1
    lines = verdicts(counts, {"lines": args.lines, "branches": args.branches})
    print("\n".join(f"{TARGET} {line}" for line in lines))
    return 1 if any(line.startswith("FAIL") for line in lines) else 0


if __name__ == "__main__":
    sys.exit(main())
