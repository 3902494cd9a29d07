"""Running the simulator as a long-lived process (`manage.py run_oxen_simulator`).

The first line printed is `listening on <oxend url>` and the second `wallet listening on <wallet
url>`, flushed at once, so a parent process can start it on port 0 and read where it listens.
It serves until SIGINT or SIGTERM (`swap.shutdown`), then closes its listeners.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from swap.shutdown import sigterm_interrupts
from swap.simulator.chain import NETTYPES
from swap.simulator.control import OxenSimulator
from swap.simulator.history import load_history


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    parser.add_argument("--port", type=int, default=0, help="oxend JSON-RPC port (0: any free port)")
    parser.add_argument("--wallet-port", type=int, default=0, help="wallet RPC port (0: any free port)")
    parser.add_argument("--history", help="recorded get_service_nodes JSON: a file or a directory of *.json")
    parser.add_argument("--nettype", choices=NETTYPES, default="mainnet")
    parser.add_argument("--length", type=int, default=1, help="initial chain length without --history")
    parser.add_argument(
        "--block-seconds", type=float, default=0, help="mine a block every N seconds (0: only on command)"
    )
    parser.add_argument("--no-control", action="store_true", help="disable the POST /sim/... control API")


def run(options: dict[str, Any]) -> None:
    history = load_history(options["history"]) if options.get("history") else None
    with sigterm_interrupts():
        simulator = OxenSimulator(
            nettype=options["nettype"],
            length=options["length"],
            history=history,
            host=options["host"],
            oxend_port=options["port"],
            wallet_port=options["wallet_port"],
            control_api=not options["no_control"],
        ).start()
        try:
            print(f"listening on {simulator.oxend_url}", flush=True)
            print(f"wallet listening on {simulator.wallet_url}", flush=True)
            if options["block_seconds"] > 0:
                simulator.mine_every(options["block_seconds"])
            while True:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            simulator.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m swap.simulator", description=__doc__)
    add_arguments(parser)
    run(vars(parser.parse_args(argv)))
