"""`manage.py publish_round NUMBER`: check the distributor's balance, then queue the round's root.

The root goes out through the outbox (`publishRoot`); the worker's tracker broadcasts and confirms
it, or run `manage.py track_transactions --until-idle` where no worker runs.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from swap.chain.errors import ChainError
from swap.distributions.exceptions import DistributionError
from swap.distributions.models import DistributionRound
from swap.distributions.services.rounds import publish_round


class Command(BaseCommand):
    help = "Publish a frozen round's Merkle root on the L2 (refused if the distributor cannot cover it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("number", type=int, help="the round number")

    def handle(self, *args: Any, **options: Any) -> None:
        round_ = DistributionRound.objects.filter(number=options["number"]).first()
        if round_ is None:
            raise CommandError(f"no round {options['number']}")
        try:
            round_ = publish_round(round_.pk, actor="command:publish_round")
        except (DistributionError, ChainError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"round {round_.number} {round_.status}: root {round_.root}, l2tx {round_.publish_tx_id}")
