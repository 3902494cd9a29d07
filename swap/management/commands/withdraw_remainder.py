"""`manage.py withdraw_remainder [--signature OWNER:0xSIG …] [--demo-owners] | --abandon`: after the end, the remainder.

Without signatures: prepares (or shows again) the Safe transaction `withdrawRemainder(reward pool)`
at the Safe's next nonce, recorded with an audit event; the owners sign its `safe_tx_hash`. With
the threshold of owner signatures (or, on the local chain only, `--demo-owners`): checks each
against the Safe's owners and queues its `execTransaction` through the outbox, which re-derives
it before signing. Refused (one line, exit 1) before the end, while paused, or a second time.
`--abandon` marks a prepared withdrawal failed (audited) once the Safe's nonce moved past it.
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from swap.chain import program_end, safe
from swap.chain.client import get_client
from swap.chain.errors import ChainError
from swap.chain.local import NotALocalChainError, safe_owner_keys
from swap.chain.safe import SafeError
from swap.chain.signer import ANVIL_CHAIN_ID


class Command(BaseCommand):
    help = "Prepare the Safe transaction withdrawing the remainder; with the owners' signatures, queue it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--signature", action="append", default=[], metavar="OWNER:0xSIG",
                            help="an owner's 65-byte signature of the printed safe_tx_hash (repeat per owner)")
        parser.add_argument("--demo-owners", action="store_true",
                            help="local chain only: sign with the demo Safe's owners")
        parser.add_argument("--abandon", action="store_true",
                            help="mark the prepared withdrawal failed: the Safe's nonce moved past it")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["demo_owners"] and settings.L2_CHAIN_ID != ANVIL_CHAIN_ID:
            self._fail(f"--demo-owners exists only on the local chain ({ANVIL_CHAIN_ID}); here the owners sign")
        try:
            client = get_client()
            if options["abandon"]:
                row = program_end.abandon_withdrawal(client, actor="command:withdraw_remainder")
                self.stdout.write(f"abandoned the withdrawal prepared at Safe nonce {row.safe_nonce}; run this "
                                  "command again to prepare it at the next nonce")
                return
            row, created = program_end.prepare_withdrawal(client, actor="command:withdraw_remainder")
            tx = safe.SafeTransaction(safe=row.safe, chain_id=row.chain_id, to=row.distributor,
                                                  data=row.data, nonce=row.safe_nonce)
            self.stdout.write(f"Safe transaction ({'prepared' if created else 'as prepared before'}): withdraw the "
                              f"remainder to {row.recipient}")
            self.stdout.write(tx.to_json())
            signatures = self._signatures(options["signature"])
            if options["demo_owners"]:
                signatures.update(safe.sign(tx, key) for key in safe_owner_keys()[:safe.threshold(client, row.safe)])
            if not signatures:
                self.stdout.write(f"sign safe_tx_hash {row.safe_tx_hash} with the Safe's owners, then run this "
                                  "again with --signature OWNER:0xSIG for each")
                return
            queued = program_end.queue_withdrawal(client, signatures, actor="command:withdraw_remainder")
            self.stdout.write(f"queued in the outbox as l2tx:{queued.transaction_id}; the tracker sends it and "
                              "records the amount withdrawn")
        except (program_end.ProgramEndError, ChainError, SafeError, NotALocalChainError) as error:
            self._fail(str(error))

    def _signatures(self, given: list[str]) -> dict[str, bytes]:
        signatures = {}
        for item in given:
            owner, _, signature = item.partition(":")
            try:
                signatures[owner] = bytes.fromhex(signature.removeprefix("0x"))
            except ValueError:
                self._fail(f"--signature {item!r}: expected OWNER:0x followed by 130 hex digits")
        return signatures

    def _fail(self, reason: str) -> NoReturn:
        self.stderr.write(f"error: {reason}", style_func=str)
        sys.exit(1)
