"""`manage.py bonus_allocations [--at-height H] [--format csv|json]`: SESH per ETH address.

stdout: one row per ETH address with a non-zero amount, `eth_address,stake_blocks,points,sesh_atomic`,
sorted by the lowercase ETH address; `sesh_atomic` sums exactly to `SNB_POOL_ATOMIC` once anyone
has earned. stderr: the totals. In JSON, integers are strings (they exceed 2^53).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bonuses.management.output import write_rows
from bonuses.services.allocations import BonusUnavailable, allocation_rows, compute_bonus, totals_line

FIELDS = ("eth_address", "stake_blocks", "points", "sesh_atomic")


class Command(BaseCommand):
    help = "Print the Service Node Bonus split per ETH address as of a height."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--at-height", type=int, default=None, metavar="H",
                            help="count heights below H (default: the latest snapshot's height)")
        parser.add_argument("--format", choices=("csv", "json"), default="csv")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = compute_bonus(options["at_height"])
        except BonusUnavailable as error:
            raise CommandError(str(error)) from None
        rows = allocation_rows(report)
        write_rows(self.stdout, FIELDS, rows, options["format"])
        self.stderr.write(totals_line(report, rows=len(rows), what="ETH addresses"))
