"""The TGE supply snapshot the claims rate is fixed by (SPEC §4).

A snapshot row is never edited: correcting a typo means entering a new snapshot, which supersedes
the active one (history stays). The database keeps one active snapshot at most and checks that
`circulating = emission − burned − excluded_total`; the code checks that (rate_num, rate_den) is
`pool / circulating` in lowest terms before inserting. Once the first deposit is credited the
active snapshot is locked: `ClaimsLedger.snapshot` points at it and `services.supply` refuses to
enter or activate any other.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from claims.models.immutable import ImmutableModel
from swap.core.claims_allocation import Supply, claims_rate, format_ratio
from swap.models import AppendOnlyQuerySet


class SnapshotSource(models.TextChoices):
    MANUAL = "manual", "entered by an operator"
    OXEND = "oxend", "fetched from oxend get_coinbase_tx_sum"


class SupplySnapshotQuerySet(AppendOnlyQuerySet):
    def supersede(self, pk: int, at: Any) -> int:
        """Deactivate the active snapshot `pk` (compare-and-swap: 0 if it was no longer active)."""
        return models.QuerySet.update(self.filter(pk=pk, is_active=True), is_active=False, superseded_at=at)


class SupplySnapshot(ImmutableModel):
    """Circulating OXEN at the TGE snapshot height, and the exact rate derived from it.

    `excluded` lists the holdings taken out of circulation (OPTF and similar):
    `[{"address": "L…", "amount_atomic": int, "note": str}, …]`.
    """

    height = models.PositiveBigIntegerField(help_text="Oxen block height of the snapshot (inclusive)")
    block_hash = models.CharField(max_length=64, help_text="hash of the block at that height (64 hex)")
    emission_atomic = models.BigIntegerField(help_text="total emission up to the height, atomic OXEN")
    burned_atomic = models.BigIntegerField(help_text="total burned up to the height, atomic OXEN")
    excluded = models.JSONField(default=list, blank=True, help_text="excluded holdings: address, amount_atomic, note")
    excluded_total_atomic = models.BigIntegerField()
    circulating_atomic = models.BigIntegerField(help_text="emission − burned − excluded")
    pool_atomic = models.BigIntegerField(help_text="the claims pool in atomic SESH (CLAIMS_POOL_ATOMIC when entered)")
    rate_num = models.BigIntegerField(help_text="rate numerator: atomic SESH per atomic OXEN, reduced")
    rate_den = models.BigIntegerField(help_text="rate denominator")
    source = models.CharField(max_length=10, choices=SnapshotSource.choices)
    entered_by = models.CharField(max_length=150, help_text="who entered it (user:<name> or task:<name>)")
    notes = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = SupplySnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = "created_at"
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="supply_one_active"),
            models.CheckConstraint(
                condition=Q(is_active=True, superseded_at__isnull=True)
                | Q(is_active=False, superseded_at__isnull=False),
                name="supply_superseded_iff_inactive",
            ),
            models.CheckConstraint(
                condition=Q(emission_atomic__gte=0, burned_atomic__gte=0, excluded_total_atomic__gte=0),
                name="supply_amounts_nonnegative",
            ),
            models.CheckConstraint(
                condition=Q(circulating_atomic=F("emission_atomic") - F("burned_atomic") - F("excluded_total_atomic")),
                name="supply_circulating_is_the_difference",
            ),
            models.CheckConstraint(
                condition=Q(circulating_atomic__gt=0, pool_atomic__gt=0, rate_num__gt=0, rate_den__gt=0),
                name="supply_rate_positive",
            ),
        ]

    def __str__(self) -> str:
        state = "active" if self.is_active else "superseded"
        return f"supply at height {self.height}: {self.sesh_per_oxen} SESH/OXEN ({state})"

    @property
    def rate(self) -> Fraction:
        return Fraction(self.rate_num, self.rate_den)

    @property
    def sesh_per_oxen(self) -> str:
        """The rate with 9 decimals, truncated."""
        return format_ratio(self.rate)

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Refuse a row whose stored rate is not exactly pool / circulating in lowest terms."""
        if self._state.adding:
            amounts = tuple(int(item["amount_atomic"]) for item in self.excluded)
            rate = claims_rate(self.pool_atomic, Supply(self.emission_atomic, self.burned_atomic, amounts))
            if (
                self.excluded_total_atomic != sum(amounts)
                or self.circulating_atomic != self.emission_atomic - self.burned_atomic - sum(amounts)
                or (self.rate_num, self.rate_den) != (rate.numerator, rate.denominator)
            ):
                raise ValueError("the snapshot's totals or rate do not follow from its figures")
        super().save(*args, **kwargs)
