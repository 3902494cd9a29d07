"""`manage.py deploy_contracts`: deploy the distributor, with no single key able to move SESH.

Local chain (anvil, 31337), no arguments: TestSESH, a 2-of-3 Safe of anvil accounts 7–9 as the
admin, SwapDistributor, its roles granted through the Safe (publisher: `L2_SIGNER_KEY`; guardian
and pauser: `WATCHDOG_SIGNER_KEY`), funded with `--fund` SESH; prints the settings to export.

Any chain, with `--token`: deploys SwapDistributor from `L2_DEPLOYER_KEY` for the given token,
admin Safe, publisher and guardian, after refusing (on every chain id but 31337) an admin that is
not a contract, a guardian that is the publisher, or any two jobs on one key. Then prints the
Safe transactions granting the roles, for the owners to sign. One line `error: …` on a refusal.
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from swap.chain.client import get_client
from swap.chain.deployment import RolePlan, deploy_distributor, grant_transactions
from swap.chain.errors import ChainError
from swap.chain.local import deploy_local_contracts
from swap.chain.safe import SafeError
from swap.chain.signer import ANVIL_CHAIN_ID, SignerKeyError, load_key
from swap.core.amounts import ATOMIC_PER_SESH
from swap.core.eth_address import EthAddressError, normalize_eth_address


class Command(BaseCommand):
    help = "Deploy SwapDistributor (and, on the local chain, TestSESH and a Safe) with one job per key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--supply", type=int, default=240_000_000, help="local: TestSESH supply in whole SESH")
        parser.add_argument("--fund", type=int, default=60_000_000, help="local: SESH sent to the distributor")
        parser.add_argument("--token", help="the SESH token (any chain); selects the production deployment")
        parser.add_argument("--admin", help="the admin Safe's address")
        parser.add_argument("--publisher", help="the worker's key's address (PUBLISHER_ROLE only)")
        parser.add_argument("--guardian", help="the watchdog's key's address (GUARDIAN_ROLE and PAUSER_ROLE)")
        parser.add_argument("--end-time", type=int, default=0, help="program end, unix seconds (0: set later)")
        parser.add_argument("--activation-delay", type=int, default=None,
                            help="seconds (default L2_ACTIVATION_DELAY_SECONDS; the contract refuses under 3600)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["token"]:
                self._deploy(options)
            else:
                self._deploy_local(options)
        except (ChainError, SignerKeyError, SafeError) as error:
            self._fail(str(error))

    def _deploy_local(self, options: dict[str, Any]) -> None:
        if settings.L2_CHAIN_ID != ANVIL_CHAIN_ID:
            self._fail(f"without --token this deploys a test token, only on the local chain ({ANVIL_CHAIN_ID})")
        if not 0 <= options["fund"] <= options["supply"]:
            self._fail("--fund must lie between 0 and --supply")
        deployment = deploy_local_contracts(
            supply_atomic=options["supply"] * ATOMIC_PER_SESH, fund_atomic=options["fund"] * ATOMIC_PER_SESH,
            activation_delay=options["activation_delay"], end_time=options["end_time"],
        )
        for name, value in deployment.settings().items():
            self.stdout.write(f"{name}={value}")

    def _deploy(self, options: dict[str, Any]) -> None:
        try:
            plan = RolePlan(admin=normalize_eth_address(options["admin"] or ""),
                            publisher=normalize_eth_address(options["publisher"] or ""),
                            guardian=normalize_eth_address(options["guardian"] or ""))
        except EthAddressError as error:
            self._fail(f"--admin, --publisher and --guardian are all needed with --token: {error}")
        client = get_client()
        deployer = load_key("L2_DEPLOYER_KEY", "L2_DEPLOYER_KEY_FILE", what="deployer")
        delay = options["activation_delay"] or settings.L2_ACTIVATION_DELAY_SECONDS
        sent = deploy_distributor(client, deployer, token=options["token"], plan=plan, end_time=options["end_time"],
                                  activation_delay=delay)
        self.stdout.write(f"L2_DISTRIBUTOR_ADDRESS={sent.contract_address}")
        self.stdout.write(f"L2_DISTRIBUTOR_DEPLOY_BLOCK={sent.block_number}")
        self.stdout.write(f"L2_SAFE_ADDRESS={plan.admin}")
        for tx in grant_transactions(client, plan, sent.contract_address):
            self.stdout.write(f"Safe transaction for the owners to sign (nonce {tx.nonce}):")
            self.stdout.write(tx.to_json())

    def _fail(self, reason: str) -> NoReturn:
        self.stderr.write(f"error: {reason}", style_func=str)
        sys.exit(1)
