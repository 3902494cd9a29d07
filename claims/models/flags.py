"""Things a person must look at: orphans, held deposits, budget cuts, vanished credits, wallet drift.

The watcher and the opening service raise a flag in the same transaction as the change that
caused it, at most once per (kind, key) while it is unresolved. An operator resolves it in the
admin (an audited action); the flag row stays as history.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class FlagKind(models.TextChoices):
    ORPHAN_DEPOSIT = "orphan_deposit", "deposit to a subaddress no claim owns"
    UNLOCK_TIME = "unlock_time", "deposit with unlock_time ≠ 0"
    NOT_INCOMING = "not_incoming", "reward, snode, gov or pool-typed entry to a claim subaddress"
    AMOUNT_CHANGED = "amount_changed", "the wallet changed a deposit's amount"
    BUDGET_CAPPED = "budget_capped", "credited only up to what was left of the pool"
    BUDGET_EXHAUSTED = "budget_exhausted", "not credited: the pool is exhausted"
    CREDITED_VANISHED = "credited_vanished", "a CREDITED deposit vanished from the wallet"
    INDEX_NOT_ABOVE = "index_not_above", "the wallet issued a subaddress index that is not new"
    MALFORMED_TRANSFER = "malformed_transfer", "a wallet entry the watcher could not read, quarantined"
    AFTER_END = "after_end", "a deposit after claims closed: return the OXEN (docs/operations.md)"


class ClaimFlag(models.Model):
    kind = models.CharField(max_length=30, choices=FlagKind.choices)
    key = models.CharField(max_length=200, help_text="what the flag is about, e.g. deposit:<id> or index:1:37")
    deposit = models.ForeignKey("claims.Deposit", null=True, blank=True, on_delete=models.PROTECT)
    claim = models.ForeignKey("claims.Claim", null=True, blank=True, on_delete=models.PROTECT)
    message = models.TextField()
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("resolve_flag", "Can mark a review flag resolved")]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key"], condition=Q(resolved_at__isnull=True), name="flag_one_open_per_subject"
            ),
        ]

    def __str__(self) -> str:
        state = "resolved" if self.resolved_at else "OPEN"
        return f"{self.get_kind_display()} ({self.key}) {state}"
