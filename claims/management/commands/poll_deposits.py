"""`manage.py poll_deposits`: run the deposit watcher once, now, and print what it did.

For operators (after a wallet outage, or to watch a deposit through) and the demo; the beat task
does the same every minute. Safe to run while the task runs: see `claims.services.locks`.
"""

from __future__ import annotations

import getpass
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims.exceptions import ClaimsNotConfigured, WalletRpcError
from claims.services.watcher import poll_deposits


class Command(BaseCommand):
    help = "Read the claims wallet once and credit confirmed deposits."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true",
                            help="read the wallet's whole history, not only the recent window (after a restore)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            outcome = poll_deposits(actor=f"command:{getpass.getuser()}", full=options["full"])
        except (ClaimsNotConfigured, WalletRpcError) as error:
            raise CommandError(str(error)) from None
        for name, value in asdict(outcome).items():
            self.stdout.write(f"{name}: {value}")
