"""`manage.py deploy_contracts [--supply SESH] [--fund SESH]`: TestSESH + SwapDistributor on a local anvil.

For the demo and local development only (refused on any chain id but 31337): deploys through the
outbox, grants the signer the publisher and pauser roles, funds the distributor, and prints the
settings to export (`L2_TOKEN_ADDRESS=…`, `L2_DISTRIBUTOR_ADDRESS=…`, `L2_DISTRIBUTOR_DEPLOY_BLOCK=…`).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from swap.chain.errors import ChainError
from swap.chain.local import deploy_local_contracts
from swap.core.amounts import ATOMIC_PER_SESH


class Command(BaseCommand):
    help = "Deploy TestSESH and SwapDistributor to the local anvil chain (31337 only) and print their addresses."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--supply", type=int, default=240_000_000, help="TestSESH supply in whole SESH")
        parser.add_argument("--fund", type=int, default=60_000_000, help="SESH sent to the distributor")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 <= options["fund"] <= options["supply"]:
            raise CommandError("--fund must lie between 0 and --supply")
        try:
            deployment = deploy_local_contracts(
                supply_atomic=options["supply"] * ATOMIC_PER_SESH, fund_atomic=options["fund"] * ATOMIC_PER_SESH
            )
        except ChainError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"L2_TOKEN_ADDRESS={deployment.token}")
        self.stdout.write(f"L2_DISTRIBUTOR_ADDRESS={deployment.distributor}")
        self.stdout.write(f"L2_DISTRIBUTOR_DEPLOY_BLOCK={deployment.deploy_block}")
