"""Claims and the wallet subaddresses they receive on.

`Subaddress` records every index the wallet handed us in the claims account, whether a claim got
it or not (`unused`: the claim insert failed after `create_address`, so nobody was shown it). The
watcher maps a transfer's (major, minor) through this table: an index with no claim, or not in the
table at all, makes the deposit an orphan. Indices are unique per account, and the opening service
refuses an index not above the highest one recorded (the wallet lost unstored subaddresses).

A `Claim` belongs to one registration's (Oxen address, ETH address) pair, fixed when it is opened:
every deposit to its subaddress credits that ETH address, even if the Oxen address is registered
to another ETH address later (opening a claim again then gives a new claim). The database allows
one claim per pair, so opening twice returns the same claim and the same subaddress.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from claims.models.immutable import ImmutableModel
from swap.models import AppendOnlyQuerySet
from swap.registrations.models import Registration


class SubaddressUse(models.TextChoices):
    CLAIM = "claim", "given to a claim"
    UNUSED = "unused", "issued by the wallet, shown to nobody"


class Subaddress(ImmutableModel):
    account_index = models.PositiveIntegerField(help_text="major index: the dedicated claims account")
    address_index = models.PositiveIntegerField(help_text="minor index")
    address = models.CharField(max_length=110, unique=True)
    label = models.CharField(max_length=100, help_text="the label given to create_address")
    use = models.CharField(max_length=10, choices=SubaddressUse.choices)
    created_at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "subaddresses"
        ordering = ["account_index", "address_index"]
        constraints = [
            models.UniqueConstraint(fields=["account_index", "address_index"], name="subaddress_unique_index"),
            models.CheckConstraint(condition=models.Q(address_index__gt=0), name="subaddress_never_minor_0"),
        ]

    def __str__(self) -> str:
        return f"({self.account_index}, {self.address_index}) {self.address[:8]}… {self.use}"


class Claim(ImmutableModel):
    """One holder's claim: send OXEN to `subaddress`, receive SESH at `eth_address`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    oxen_address = models.CharField(max_length=110, help_text="the registered primary Oxen address")
    eth_address = models.CharField(max_length=42, help_text="EIP-55; receives every credit of this claim")
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="claims")
    subaddress = models.OneToOneField(Subaddress, on_delete=models.PROTECT, related_name="claim")
    created_at = models.DateTimeField(default=timezone.now)
    ip_hash = models.CharField(max_length=64, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["oxen_address", "eth_address"], name="claim_one_per_registration_pair"),
        ]
        indexes = [models.Index(fields=["eth_address"], name="claim_eth")]

    def __str__(self) -> str:
        return f"claim {self.id} {self.oxen_address[:6]}…{self.oxen_address[-6:]} → {self.eth_address}"

    @property
    def label(self) -> str:
        return claim_label(self.id)


def claim_label(claim_id: uuid.UUID) -> str:
    """The wallet label of a claim's subaddress: the claim id, so the wallet alone can be audited."""
    return f"claim:{claim_id}"
