"""Wallet entries the deposit watcher could not read, kept for a person to review (issue 17, item 7).

A zero or missing amount, a txid that is not one, an entry of another account: the watcher does
not guess. It records the entries of that (txid, major, minor) here once, with the reason, raises
a `malformed_transfer` flag, credits nothing from them, and goes on with every other deposit. A
row is written once and never changed; `identity` keeps a re-read of the same entries from being
recorded twice.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from claims.models.immutable import ImmutableModel
from swap.models import AppendOnlyQuerySet


class QuarantinedTransfer(ImmutableModel):
    identity = models.CharField(max_length=200, unique=True,
                                help_text="txid:major:minor, or a digest of the entry when those cannot be read")
    txid = models.CharField(max_length=100, blank=True, help_text="as the wallet reported it")
    account_index = models.PositiveIntegerField(null=True, blank=True)
    address_index = models.PositiveIntegerField(null=True, blank=True)
    reason = models.TextField()
    entries = models.JSONField(help_text="the wallet's entries exactly as received")
    first_seen_at = models.DateTimeField(default=timezone.now, db_index=True)
    first_seen_wallet_height = models.PositiveBigIntegerField()

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-first_seen_at", "-id"]

    def __str__(self) -> str:
        return f"quarantined {self.txid[:12] or self.identity[:18]}… ({self.reason[:60]})"
