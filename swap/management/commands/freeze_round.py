"""`manage.py freeze_round [--cutoff ISO-8601]`: open the next round (or take the open draft) and freeze it.

Freezing reads both programs' cumulative entitlements up to the cut-off (default: now) and writes
entries, Merkle root and dump in one transaction; see `swap.distributions.services.rounds`.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from swap.distributions.exceptions import DistributionError
from swap.distributions.models import DistributionRound, RoundStatus
from swap.distributions.services.rounds import create_round, freeze_round


class Command(BaseCommand):
    help = "Freeze the next distribution round (entries, root and dump in one transaction) and print its root."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cutoff", help="entitlements up to this instant, ISO 8601 with a timezone (default now)")

    def handle(self, *args: Any, **options: Any) -> None:
        cutoff = parse_datetime(options["cutoff"]) if options["cutoff"] else timezone.now()
        if cutoff is None or timezone.is_naive(cutoff):
            raise CommandError("--cutoff must be an ISO 8601 date-time with a timezone, e.g. 2025-06-01T00:00:00Z")
        actor = "command:freeze_round"
        try:
            draft = DistributionRound.objects.filter(status=RoundStatus.DRAFT).first()
            round_ = freeze_round((draft or create_round(cutoff=cutoff, actor=actor)).pk, actor=actor)
        except DistributionError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"round {round_.number} frozen: root {round_.root}, {round_.count} accounts, total {round_.total_atomic} "
            f"atomic SESH, dump sha256 {round_.dump_sha256}"
        )
