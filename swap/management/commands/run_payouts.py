"""`manage.py run_payouts`: batch every account that asked for delivery into `claimMany` transactions."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from swap.chain.errors import ChainError
from swap.distributions.exceptions import DistributionError
from swap.distributions.services.payouts import run_payouts


class Command(BaseCommand):
    help = "Queue payout batches for the current (confirmed) round; accounts already batched are skipped."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            batches = run_payouts(actor="command:run_payouts")
        except (DistributionError, ChainError) as error:
            raise CommandError(str(error)) from None
        accounts = sum(batch.items.count() for batch in batches)
        self.stdout.write(f"{len(batches)} payout batch(es) queued for {accounts} account(s)")
