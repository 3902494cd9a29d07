"""The burn ledger: OXEN received by claims and burned by the operator (SPEC §4).

The wallet RPC cannot burn, so an operator burns with `oxen-wallet-cli transfer … burn=<amount>`
and enters the transaction here (oxen-wallet-rpc.md §5). An entry is never edited or deleted; a
mistake is corrected by a note on a new entry, never by rewriting history. Reconciliation compares
the total with the OXEN credited (`services.reconciliation`).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from claims.models.immutable import ImmutableModel
from swap.models import AppendOnlyQuerySet


class Burn(ImmutableModel):
    txid = models.CharField(max_length=64, unique=True, help_text="the burn transaction's hash (64 hex)")
    amount_atomic = models.BigIntegerField(help_text="OXEN burned by it, atomic units (its extra.burn_amount)")
    entered_by = models.CharField(max_length=150)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount_atomic__gt=0), name="burn_amount_positive")]

    def __str__(self) -> str:
        return f"burn {self.txid[:12]}… {self.amount_atomic} atomic OXEN"
