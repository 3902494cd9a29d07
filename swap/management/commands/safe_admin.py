"""`manage.py safe_admin ACTION …`: the distributor's admin actions as Safe transactions for its owners.

    safe_admin unpause
    safe_admin set-end-time UNIX_TIME
    safe_admin withdraw-remainder RECIPIENT
    safe_admin grant-role publisher|pauser|guardian ACCOUNT
    safe_admin revoke-role publisher|pauser|guardian ACCOUNT
    … [--execute]          on the local chain (31337) only: the demo owners sign, and it is executed

Checks the action against the chain (it would not revert), then prints the Safe transaction (every
field and the `safeTxHash` the owners sign, as JSON) for the owners to sign in their wallets or in
the Safe's Transaction Builder. No single key of the service can execute any of these. See
docs/threat-model.md and docs/operations.md. One line `error: …` and exit 1 on a refusal.
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from swap.chain import admin_actions
from swap.chain.client import get_client
from swap.chain.errors import ChainError
from swap.chain.local import NotALocalChainError, execute_as_safe
from swap.chain.safe import SafeError, threshold
from swap.chain.signer import ANVIL_CHAIN_ID
from swap.core.eth_address import EthAddressError, normalize_eth_address


class Command(BaseCommand):
    help = "Print a Safe transaction for an admin action on the distributor (and execute it on the local chain)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("unpause", help="resume claims, payouts and activation")
        end = actions.add_parser("set-end-time", help="set the program end, or move it later (90 days' notice)")
        end.add_argument("end_time", type=int, help="unix seconds")
        withdraw = actions.add_parser("withdraw-remainder", help="after the end: send what is left, close the program")
        withdraw.add_argument("recipient")
        for name in ("grant-role", "revoke-role"):
            sub = actions.add_parser(name)
            sub.add_argument("role", choices=admin_actions.GRANTABLE_ROLES)
            sub.add_argument("account")
        for sub in actions.choices.values():
            sub.add_argument("--execute", action="store_true",
                             help="local chain only: sign with the demo owners and execute it")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            safe_address = normalize_eth_address(settings.L2_SAFE_ADDRESS)
            distributor = normalize_eth_address(settings.L2_DISTRIBUTOR_ADDRESS)
        except EthAddressError:
            self._fail("set L2_SAFE_ADDRESS and L2_DISTRIBUTOR_ADDRESS to the Safe and the distributor")
        if options["execute"] and settings.L2_CHAIN_ID != ANVIL_CHAIN_ID:
            self._fail(f"--execute signs with the demo owners' keys and exists only on the local chain "
                       f"({ANVIL_CHAIN_ID}); on chain id {settings.L2_CHAIN_ID} the Safe's owners sign")
        try:
            client = get_client()
            action = self._action(client, distributor, options)
            tx = admin_actions.as_safe_transaction(client, safe_address, distributor, action)
            self.stdout.write(f"Safe transaction: {action.description}")
            self.stdout.write(tx.to_json())
            if options["execute"]:
                sent = execute_as_safe(client, safe_address, to=tx.to, data=tx.data)
                self.stdout.write(f"executed by 2 of the 3 demo owners in {sent.tx_hash} (block {sent.block_number})")
            else:
                self.stdout.write(f"sign safe_tx_hash {tx.safe_tx_hash} with {threshold(client, safe_address)} "
                                  "owner(s), then execute it from the Safe")
        except (admin_actions.AdminActionError, ChainError, SafeError, NotALocalChainError) as error:
            self._fail(str(error))

    def _action(self, client: Any, distributor: str, options: dict[str, Any]) -> admin_actions.AdminAction:
        action = options["action"]
        if action == "unpause":
            return admin_actions.unpause(client, distributor)
        if action == "set-end-time":
            return admin_actions.set_end_time(client, distributor, options["end_time"])
        if action == "withdraw-remainder":
            return admin_actions.withdraw_remainder(client, distributor, options["recipient"])
        if action == "grant-role":
            return admin_actions.grant_role(client, distributor, options["role"], options["account"])
        return admin_actions.revoke_role(client, distributor, options["role"], options["account"])

    def _fail(self, reason: str) -> NoReturn:
        self.stderr.write(f"error: {reason}", style_func=str)
        sys.exit(1)
