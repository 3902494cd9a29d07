"""`manage.py publish_round NUMBER`: check the distributor's balance, then propose the round's root.

The proposal goes out through the outbox (`proposeRoot`); the worker's tracker broadcasts and
confirms it (or run `manage.py track_transactions --until-idle` where no worker runs). The root
becomes claimable only after the distributor's public activation delay, when
`manage.py activate_rounds` (or the beat task) activates it, unless the guardian vetoes it first.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from swap.chain.errors import ChainError
from swap.distributions.exceptions import DistributionError
from swap.distributions.models import DistributionRound
from swap.distributions.services.publishing import propose_round


class Command(BaseCommand):
    help = "Propose a frozen round's Merkle root on the L2 (refused if the distributor cannot cover it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("number", type=int, help="the round number")

    def handle(self, *args: Any, **options: Any) -> None:
        round_ = DistributionRound.objects.numbered().filter(number=options["number"]).first()
        if round_ is None:
            raise CommandError(f"no round {options['number']}")
        try:
            round_ = propose_round(round_.pk, actor="command:publish_round")
        except (DistributionError, ChainError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"round {round_.number} {round_.status}: root {round_.root}, l2tx {round_.propose_tx_id}")
