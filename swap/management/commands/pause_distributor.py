"""`manage.py pause_distributor --reason TEXT`: queue the distributor's `pause()` (a wrong root).

The transaction goes through the outbox like every other; the worker's tracker sends it, or run
`manage.py track_transactions --until-idle` where no worker runs. Unpausing is the admin's
(`DEFAULT_ADMIN_ROLE`, a multisig in production), never the service's. See docs/operations.md.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from swap.chain.errors import ChainError
from swap.distributions.exceptions import DistributionError
from swap.distributions.services.pause import pause_distributor


class Command(BaseCommand):
    help = "Queue pause() on the distributor and hold the payout batches not signed yet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reason", required=True, help="why (kept in the audit trail)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            pause, held, queued = pause_distributor(reason=options["reason"], actor="command:pause_distributor")
        except (DistributionError, ChainError) as error:
            raise CommandError(str(error)) from None
        if not queued:
            self.stdout.write(f"a pause is already on its way: l2tx {pause.pk} ({pause.status})")
            return
        self.stdout.write(
            f"pause queued: l2tx {pause.pk} to {pause.to_address}; {len(held)} unsigned payout batch(es) held"
        )
