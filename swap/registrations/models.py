"""Registrations: the proof that an Oxen wallet chose an ETH address (SPEC §2).

One Oxen address has at most one *current* registration; every earlier one stays as history. The
database, not only the code, enforces it:
- a conditional unique constraint allows one `is_current` row per Oxen address, so two concurrent
  submissions can never leave two current rows;
- `replaces` is one-to-one, so two submissions cannot both supersede the same row: the history is a
  single chain, each row pointing at the one it replaced;
- `is_current` and `superseded_at` agree (a check constraint).
Rows are never deleted and never edited, with one exception made through `supersede()`: the
current row is marked superseded, once, by the service that replaces it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NoReturn

from django.db import models
from django.db.models import Q
from django.utils import timezone


class RegistrationImmutableError(Exception):
    """Code tried to edit or delete a registration; history is append-only."""


class MatchedForm(models.TextChoices):
    """Which textual form of the ETH address the wallet signature was made over (SPEC §2, ours)."""

    TYPED = "typed", "as typed"
    TYPED_NO_PREFIX = "typed-no-0x", "as typed, without 0x"
    TRIMMED = "trimmed", "as typed, trimmed"
    TRIMMED_NO_PREFIX = "trimmed-no-0x", "as typed, trimmed, without 0x"
    LOWERCASE = "lowercase", "lowercase"
    LOWERCASE_NO_PREFIX = "lowercase-no-0x", "lowercase, without 0x"
    EIP55 = "eip55", "EIP-55 checksummed"
    EIP55_NO_PREFIX = "eip55-no-0x", "EIP-55 checksummed, without 0x"


class RegistrationQuerySet(models.QuerySet["Registration"]):
    """Bulk update and delete refuse; `supersede` is the single permitted change."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise RegistrationImmutableError("registrations are append-only; use supersede()")

    def delete(self) -> NoReturn:
        raise RegistrationImmutableError("registrations are never deleted")

    def current(self) -> RegistrationQuerySet:
        return self.filter(is_current=True)

    def supersede(self, pk: int, at: datetime) -> int:
        """Mark the current row `pk` superseded; returns the rows changed (1, or 0 if it wasn't current).

        A compare-and-swap: the `is_current=True` filter makes a second attempt change nothing.
        """
        still_current = self.filter(pk=pk, is_current=True)
        return models.QuerySet.update(still_current, is_current=False, superseded_at=at)


class Registration(models.Model):
    """One accepted `(oxen_address, eth_address, signature)` submission."""

    oxen_address = models.CharField(max_length=110)
    eth_address = models.CharField(max_length=42, help_text="EIP-55 form")
    signature = models.CharField(max_length=100, help_text="SigV1… as pasted, surrounding whitespace removed")
    signed_message = models.CharField(max_length=120, help_text="the exact text the signature verified over")
    matched_form = models.CharField(max_length=20, choices=MatchedForm.choices)
    signed_at = models.DateTimeField(
        null=True, blank=True, help_text="the unix time inside the signed text, when one was signed"
    )
    node_pubkey = models.CharField(
        max_length=64, blank=True, help_text="service node Ed25519 pubkey (hex) proven by node_signature"
    )
    node_signature = models.CharField(max_length=128, blank=True)
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    superseded_at = models.DateTimeField(null=True, blank=True)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    ip_hash = models.CharField(max_length=64, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["oxen_address"], condition=Q(is_current=True), name="registration_one_current_per_address"
            ),
            models.CheckConstraint(
                condition=Q(is_current=True, superseded_at__isnull=True)
                | Q(is_current=False, superseded_at__isnull=False),
                name="registration_superseded_iff_not_current",
            ),
        ]
        indexes = [
            models.Index(fields=["oxen_address", "created_at"], name="registration_addr_created"),
            models.Index(fields=["eth_address"], condition=Q(is_current=True), name="registration_current_eth"),
        ]

    def __str__(self) -> str:
        state = "current" if self.is_current else "superseded"
        return f"{self.oxen_address[:6]}…{self.oxen_address[-6:]} → {self.eth_address} ({state})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RegistrationImmutableError("registrations are append-only; use supersede()")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise RegistrationImmutableError("registrations are never deleted")
