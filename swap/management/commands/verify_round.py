"""`manage.py verify_round DUMP.json [--rpc URL --distributor ADDRESS]`: check a published round.

Recomputes the root from a `standard-v1` dump (every leaf and node re-hashed by
`swap.core.merkle`, the dump must be exactly what the standard builder makes of its values) and,
given a node and a distributor, compares it with the contract's `merkleRoot`. Works against any
node and chain: it only reads. Prints one line `ok: …` and exits 0, or one line `error: …` on
stderr and exits 1.
"""

import sys
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser

from swap.chain import contracts
from swap.chain.client import read_only_client
from swap.chain.errors import ChainError
from swap.core.eth_address import EthAddressError, normalize_eth_address
from swap.core.merkle import MerkleDumpError, StandardMerkleTree


class Command(BaseCommand):
    help = (
        "Recompute a round's root from its standard-v1 dump; with --rpc and --distributor, check it is the "
        "distributor's merkleRoot on chain. Prints 'ok: …' (exit 0) or 'error: …' (exit 1)."
    )
    requires_system_checks: list[str] = []  # a verification tool: no database needed

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dump", help="the round's standard-v1 JSON dump")
        parser.add_argument("--rpc", help="JSON-RPC URL of an L2 node (any provider)")
        parser.add_argument("--distributor", help="the SwapDistributor contract address")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["dump"])
        rpc, distributor = options["rpc"], options["distributor"]
        if bool(rpc) != bool(distributor):
            self._fail("--rpc and --distributor go together")
        try:
            tree = StandardMerkleTree.load(path.read_bytes())
        except OSError as error:
            self._fail(f"cannot read {path}: {error.strerror or 'unreadable'}")
        except (MerkleDumpError, ValueError) as error:
            self._fail(f"{path} is not a valid standard-v1 dump: {error}")
        summary = f"{len(tree)} accounts, total {tree.total} atomic SESH"
        if not rpc:
            self.stdout.write(f"ok: root {tree.root_hex} matches the dump {path.name} ({summary})")
            return
        try:
            address = normalize_eth_address(distributor)
            client = read_only_client(rpc)
            on_chain = contracts.merkle_root(client, address)
        except EthAddressError as error:
            self._fail(f"--distributor: {error}")
        except ChainError as error:
            self._fail(f"cannot read the distributor's merkleRoot: {error}")
        if on_chain != tree.root_hex:
            self._fail(
                f"root {tree.root_hex} of {path.name} does not match merkleRoot {on_chain} of {address} "
                f"on chain id {client.chain_id}"
            )
        self.stdout.write(
            f"ok: root {tree.root_hex} matches merkleRoot of {address} on chain id {client.chain_id} ({summary})"
        )

    def _fail(self, reason: str) -> NoReturn:
        self.stderr.write(f"error: {reason}", style_func=str)
        sys.exit(1)
