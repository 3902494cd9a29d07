"""The demo, served on its real peers, for the holder-portal browser tests.

One `manage.py demo --serve --no-celery` per test session (its own anvil, Oxen simulator and
SQLite file in a temporary directory), stopped with SIGTERM at the end. The tests then visit the
portal as holders would: Alice (claimable SESH, self-claim), Bob (payout), Carol (a coin claim
with a credited deposit), and a history wallet nobody registered (TRY_WALLET).
"""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from swap.demo.environment import DEMO_MARKER, PRODUCTION_VARIABLES
from tests.demo_process import free_port_outside_the_ephemeral_range, read_until

REPO = Path(__file__).resolve().parents[2]
# Portal settings the served demo runs with, so the pages show transaction links and the next round's date.
EXPLORER = "https://explorer.example"
NEXT_ROUND_AT = "2027-01-15T12:00:00+00:00"


@dataclass(frozen=True)
class ServedDemo:
    """Where the served demo answers, and what it printed and wrote."""

    origin: str  # http://127.0.0.1:PORT, the portal
    anvil: str  # the L2 node's RPC URL (an injected EIP-1193 provider can forward to it)
    oxend: str  # the Oxen simulator's oxend URL; its control API is POST <oxend>/sim/<command>
    directory: Path  # the demo's own directory (demo.sqlite3, summary.json, logs)
    stdout: str

    @property
    def figures(self) -> dict[str, Any]:
        """The demo's summary.json (round, claims, bonus figures)."""
        return dict(json.loads((self.directory / "demo" / "summary.json").read_text()))

    def send_oxen(self, address: str, amount_atomic: int) -> str:
        """Pay `address` (a deposit address of the claims wallet) on the simulated chain; the txid."""
        reply = requests.post(f"{self.oxend}/sim/send_to", json={"address": address, "amount": amount_atomic},
                              timeout=10)
        reply.raise_for_status()
        return str(reply.json()["result"])

    def round_entries(self) -> list[dict[str, str]]:
        """Round 1's published entries.csv as the demo wrote it (eth_address, cumulative, bonus, claims)."""
        with (self.directory / "demo" / "round-1.entries.csv").open(newline="") as handle:
            return list(csv.DictReader(handle))


@contextmanager
def served_demo(directory: Path) -> Iterator[ServedDemo]:
    """Run the demo until it serves; yield where; stop it (SIGTERM) afterwards."""
    environ = {k: v for k, v in os.environ.items() if k not in PRODUCTION_VARIABLES and k != DEMO_MARKER}
    environ.update(PORTAL_EXPLORER_URL=EXPLORER, PORTAL_NEXT_ROUND_AT=NEXT_ROUND_AT)
    port = free_port_outside_the_ephemeral_range()
    command = [sys.executable, "manage.py", "demo", "--dir", str(directory), "--serve", "--no-celery",
               "--port", str(port)]
    process = subprocess.Popen(command, cwd=REPO, env=environ, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        stdout = read_until(process, "Logs ")
        anvil = re.search(r"anvil (http://127\.0\.0\.1:\d+)", stdout)
        oxend = re.search(r"oxend (http://127\.0\.0\.1:\d+)", stdout)
        if "== Serving the demo" not in stdout or anvil is None or oxend is None:
            pytest.fail(f"the demo did not start serving:\n{stdout[-3000:]}")
        yield ServedDemo(f"http://127.0.0.1:{port}", anvil.group(1), oxend.group(1), directory, stdout)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
