"""`manage.py bonus_points [--at-height H] [--format csv|json]`: Staking Points per Oxen address.

stdout: one row per registered Oxen address (zero included), `oxen_address,eth_address,stake_blocks,points`,
sorted by Oxen address. stderr: the totals. In JSON, integers are strings.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bonuses.management.output import write_rows
from bonuses.services.allocations import BonusUnavailable, compute_bonus, points_rows, totals_line

FIELDS = ("oxen_address", "eth_address", "stake_blocks", "points")


class Command(BaseCommand):
    help = "Print the Staking Points of every registered Oxen address as of a height."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--at-height", type=int, default=None, metavar="H",
                            help="count heights below H (default: the latest snapshot's height)")
        parser.add_argument("--format", choices=("csv", "json"), default="csv")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = compute_bonus(options["at_height"])
        except BonusUnavailable as error:
            raise CommandError(str(error)) from None
        rows = points_rows(report)
        write_rows(self.stdout, FIELDS, rows, options["format"])
        self.stderr.write(totals_line(report, rows=len(rows), what="registered Oxen addresses"))
