"""`manage.py run_local_chain [--port 8545] [--block-time 1] [--deploy]`: a local L2 for the demo.

Starts anvil (chain id 31337) on loopback, optionally deploys TestSESH, a 2-of-3 Safe and
SwapDistributor (`--deploy`, needs `L2_SIGNER_KEY` and `WATCHDOG_SIGNER_KEY`, e.g. anvil's
development keys, which are accepted on 31337 only), prints the settings other processes need
(`L2_RPC_URL=…`, the contract and Safe addresses), and serves until Ctrl-C or SIGTERM, which stop
anvil too. Blocks are mined every `--block-time` seconds so confirmations arrive without anyone
sending transactions.
"""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from swap.chain.anvil import start_anvil
from swap.chain.client import reset_clients
from swap.chain.errors import ChainError
from swap.chain.local import deploy_local_contracts
from swap.chain.signer import SignerKeyError
from swap.core.amounts import ATOMIC_PER_SESH
from swap.shutdown import sigterm_interrupts


class Command(BaseCommand):
    help = "Run a local anvil L2 (chain id 31337), optionally with the contracts deployed; prints its settings."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8545)
        parser.add_argument("--block-time", type=int, default=1, help="seconds between blocks (0: only on demand)")
        parser.add_argument("--deploy", action="store_true", help="deploy TestSESH and SwapDistributor")
        parser.add_argument("--fund", type=int, default=60_000_000, help="SESH sent to the distributor")

    def handle(self, *args: Any, **options: Any) -> None:
        with sigterm_interrupts():
            self._serve(options)

    def _serve(self, options: dict[str, Any]) -> None:
        extra = ["--block-time", str(options["block_time"])] if options["block_time"] > 0 else []
        node = start_anvil(port=options["port"], extra_args=extra)
        try:
            settings.L2_RPC_URL, settings.L2_CHAIN_ID = node.url, node.chain_id
            reset_clients()
            self.stdout.write(f"L2_RPC_URL={node.url}")
            self.stdout.write(f"L2_CHAIN_ID={node.chain_id}")
            if options["deploy"]:
                try:
                    deployment = deploy_local_contracts(
                        supply_atomic=240_000_000 * ATOMIC_PER_SESH, fund_atomic=options["fund"] * ATOMIC_PER_SESH
                    )
                except (ChainError, SignerKeyError) as error:
                    raise CommandError(str(error)) from None
                for name, value in deployment.settings().items():
                    self.stdout.write(f"{name}={value}")
            self.stdout.write(f"listening on {node.url} (Ctrl-C or SIGTERM to stop)")
            self.stdout.flush()
            while node.process.poll() is None:
                time.sleep(0.5)
            raise CommandError(f"anvil exited with code {node.process.returncode}")
        except KeyboardInterrupt:
            pass
        finally:
            node.stop()
