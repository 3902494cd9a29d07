"""`manage.py activate_rounds`: activate the pending round if its delay is over, or report on it.

What the beat task `activate_rounds_task` does, for an operator or a machine without a worker:
queues `activateRoot()` once the chain's clock has passed the round's activation time, and
follows a root that someone else activated, the guardian vetoed, or another proposal displaced.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from swap.chain.errors import ChainError
from swap.distributions.exceptions import DistributionError
from swap.distributions.services.publishing import advance_rounds


class Command(BaseCommand):
    help = "Activate the pending round once its public delay is over (anyone may; the service does it on time)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            advanced = advance_rounds(actor="command:activate_rounds")
        except (DistributionError, ChainError) as error:
            raise CommandError(str(error)) from None
        if advanced.round_number is None:
            self.stdout.write("no round is pending activation")
        else:
            self.stdout.write(f"round {advanced.round_number}: {advanced.action.replace('_', ' ')}")
