"""`manage.py track_transactions [--until-idle] [--interval S]`: run the outbox tracker from a shell.

What the beat-scheduled worker task does, for hosts without a worker and for recovery by hand:
sign queued transactions, (re)broadcast stored bytes, record receipts, confirm, detect reorgs.
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from swap.chain.errors import ChainError
from swap.chain.local import mine
from swap.chain.models import L2Transaction
from swap.chain.tracking import track_transactions


class Command(BaseCommand):
    help = "Run one outbox tracker pass, or passes until no transaction is open (--until-idle)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--until-idle", action="store_true", help="repeat until no transaction is open")
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between passes")
        parser.add_argument("--timeout", type=float, default=600.0, help="give up after this many seconds")
        parser.add_argument("--mine", action="store_true", help="local anvil only: mine a block between passes")

    def handle(self, *args: Any, **options: Any) -> None:
        deadline = time.monotonic() + options["timeout"]
        while True:
            try:
                report = track_transactions(actor="command:track_transactions")
            except ChainError as error:
                raise CommandError(str(error)) from None
            open_count = L2Transaction.objects.filter(status__in=L2Transaction.OPEN_STATUSES).count()
            self.stdout.write(f"advanced {len(report.advanced)}, errors {len(report.errors)}, open {open_count}")
            if not options["until_idle"] or open_count == 0:
                return
            if time.monotonic() > deadline:
                raise CommandError(f"{open_count} transaction(s) still open after {options['timeout']:.0f} s")
            if options["mine"]:
                mine()
            time.sleep(options["interval"])
