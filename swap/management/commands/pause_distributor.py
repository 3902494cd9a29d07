"""`manage.py pause_distributor --reason TEXT`: pause the distributor from the guardian's key.

Sent at once from `WATCHDOG_SIGNER_KEY` (`PAUSER_ROLE`), not through the publisher's outbox; the
payout batches not signed yet are held. Unpausing is the admin's: a Safe transaction its owners
sign (`manage.py safe_admin unpause`), never the service's. See docs/threat-model.md.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from swap.chain.errors import ChainError
from swap.chain.signer import SignerKeyError
from swap.distributions.exceptions import DistributionError
from swap.distributions.services.pause import pause_distributor


class Command(BaseCommand):
    help = "Pause the distributor from the guardian's key and hold the payout batches not signed yet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reason", required=True, help="why (kept in the audit trail)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            sent, held = pause_distributor(reason=options["reason"], actor="command:pause_distributor")
        except (DistributionError, ChainError, SignerKeyError) as error:
            raise CommandError(str(error)) from None
        if sent is None:
            self.stdout.write(f"the distributor was already paused; {len(held)} unsigned payout batch(es) held")
            return
        self.stdout.write(f"paused in {sent.tx_hash}; {len(held)} unsigned payout batch(es) held")
