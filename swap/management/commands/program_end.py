"""`manage.py program_end ACTION`: announce the program's end, record it, close claims; see docs/operations.md.

    program_end announce UNIX_TIME [--execute]   check the end, print the Safe transaction setting it
                                                  (--execute: local chain only, the demo owners sign it)
    program_end record                            record the distributor's endTime as announced (after
                                                  the Safe executed it): banner, API and Atom feed show it
    program_end close                             once the chain passed the close: claims and registrations stop
    program_end status

One line `error: …` and exit 1 on a refusal; every step can be run again.
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from swap.chain import admin_actions, program_end
from swap.chain.client import get_client
from swap.chain.errors import ChainError
from swap.chain.local import NotALocalChainError, execute_as_safe
from swap.chain.safe import SafeError
from swap.chain.signer import ANVIL_CHAIN_ID


class Command(BaseCommand):
    help = "Announce the program end through the Safe, record it, and close claims and registrations."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        announce = actions.add_parser("announce", help="print the Safe transaction setting the end (90 days' notice)")
        announce.add_argument("end_time", type=int, help="unix seconds")
        announce.add_argument("--execute", action="store_true",
                              help="local chain only: the demo owners sign and execute it, then it is recorded")
        actions.add_parser("record", help="record the distributor's endTime as announced")
        actions.add_parser("close", help="close claims and registrations once the chain passed the close")
        actions.add_parser("status", help="the announced end, the close, the withdrawal")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            client = get_client()
            getattr(self, "_" + options["action"])(client, options)
        except (program_end.ProgramEndError, ChainError, SafeError, NotALocalChainError) as error:
            self._fail(str(error))

    def _announce(self, client: Any, options: dict[str, Any]) -> None:
        if options["execute"] and settings.L2_CHAIN_ID != ANVIL_CHAIN_ID:
            self._fail(f"--execute exists only on the local chain ({ANVIL_CHAIN_ID}); here the Safe's owners sign")
        action = program_end.check_new_end(client, options["end_time"])
        target = program_end.distributor()
        tx = admin_actions.as_safe_transaction(client, settings.L2_SAFE_ADDRESS, target, action)
        self.stdout.write(f"Safe transaction: {action.description}")
        self.stdout.write(tx.to_json())
        if not options["execute"]:
            self.stdout.write(f"sign safe_tx_hash {tx.safe_tx_hash}, execute it from the Safe, "
                              "then run `program_end record`")
            return
        sent = execute_as_safe(client, tx.safe, to=tx.to, data=tx.data)
        self.stdout.write(f"executed by 2 of the 3 demo owners in {sent.tx_hash} (block {sent.block_number})")
        self._record(client, options)

    def _record(self, client: Any, options: dict[str, Any]) -> None:
        row, created = program_end.record_announcement(client, actor="command:program_end")
        end = program_end.program_end()
        assert end is not None
        verb = "announced" if created else "already announced"
        self.stdout.write(f"program end {verb}: {end.end:%Y-%m-%d %H:%M} UTC (unix {row.end_time}); claims and "
                          f"registrations close at {end.closes:%Y-%m-%d %H:%M} UTC (unix {end.closes_at})")

    def _close(self, client: Any, options: dict[str, Any]) -> None:
        closure, created = program_end.close_program(client, actor="command:program_end")
        verb = "closed" if created else "already closed"
        self.stdout.write(f"claims and registrations {verb} (chain time {closure.chain_time}); freeze and publish "
                          "the final round now")

    def _status(self, client: Any, options: dict[str, Any]) -> None:
        end = program_end.program_end()
        if end is None:
            self.stdout.write("no program end announced")
            return
        self.stdout.write(f"end {end.end.isoformat()} (unix {end.end_time}); close {end.closes.isoformat()}; "
                          f"{'closed' if end.closed else 'open'}")
        withdrawal = program_end.live_withdrawal()
        if withdrawal is not None:
            self.stdout.write(f"remainder withdrawal {withdrawal.status}: safe tx {withdrawal.safe_tx_hash}")

    def _fail(self, reason: str) -> NoReturn:
        self.stderr.write(f"error: {reason}", style_func=str)
        sys.exit(1)
