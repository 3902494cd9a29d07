"""Deposits seen by the watcher, the credits they earn, and the single ledger row that guards the pool.

Identity of a deposit: the wallet's `get_transfers` lists one `in` entry per received output and
gives no output index, so the watcher groups the entries by (txid, major, minor) and sums them
(oxen-wallet-rpc.md §7.1): one `Deposit` per group, unique in the database. A credit is one-to-one
with its deposit and carries the same unique key, so a deposit can never be credited twice.

The pool is guarded in the database too: `ClaimsLedger` is one row holding the running total of
credited SESH, with a check constraint `credited ≤ pool`; every crediting transaction locks it and
adds to it, so two concurrent runs take turns and neither can push the total past the pool.
"""

from __future__ import annotations

from fractions import Fraction

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from claims.models.claims import Claim, Subaddress
from claims.models.immutable import ImmutableModel
from claims.models.supply import SupplySnapshot
from swap.models import AppendOnlyQuerySet


class DepositState(models.TextChoices):
    SEEN = "seen", "seen, waiting for confirmations"
    PENDING_MINIMUM = "pending_minimum", "confirmed, waiting for the claim to reach the minimum"
    CREDITED = "credited", "credited"
    HELD = "held", "held for review"
    ORPHANED = "orphaned", "orphaned: not sent to a claim's subaddress"


class HoldReason(models.TextChoices):
    NONE = "", "—"
    UNLOCK_TIME = "unlock_time", "the sender locked the outputs (unlock_time ≠ 0)"
    NOT_INCOMING = "not_incoming", "not a plain incoming transfer (reward, snode, gov or pool type)"
    BUDGET_EXHAUSTED = "budget_exhausted", "the claims pool is exhausted"
    AMOUNT_CHANGED = "amount_changed", "the wallet reported another amount for the same deposit"
    AFTER_END = "after_end", "arrived after claims closed at the program end: never credited, returned"


UNCREDITED_WATCHED = (DepositState.SEEN, DepositState.PENDING_MINIMUM)


class Deposit(models.Model):
    """The outputs of one transaction to one subaddress of the claims account, summed.

    `vanished_at` is set while the deposit is missing from the wallet's transfers (a reorg or a
    double spend); it is cleared when the deposit reappears. Only the watcher changes a deposit.
    """

    txid = models.CharField(max_length=64)
    account_index = models.PositiveIntegerField()
    address_index = models.PositiveIntegerField()
    subaddress = models.ForeignKey(Subaddress, null=True, blank=True, on_delete=models.PROTECT)
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.PROTECT, related_name="deposits")
    amount_atomic = models.BigIntegerField(help_text="sum of the outputs, atomic OXEN")
    output_count = models.PositiveIntegerField()
    height = models.PositiveBigIntegerField(help_text="block height; 0 while unmined")
    timestamp = models.PositiveBigIntegerField(help_text="the wallet's timestamp: block time (first-seen for a blink)")
    unlock_time = models.CharField(max_length=20, default="0", help_text="raw uint64 set by the sender")
    transfer_type = models.CharField(max_length=40, help_text="the wallet's type(s), e.g. in")
    confirmations = models.PositiveBigIntegerField(
        default=0, help_text="as of the last poll that wrote the row (every poll while it is waited on)"
    )
    state = models.CharField(max_length=20, choices=DepositState.choices)
    hold_reason = models.CharField(max_length=20, choices=HoldReason.choices, blank=True, default="")
    first_seen_at = models.DateTimeField(default=timezone.now)
    first_seen_wallet_height = models.PositiveBigIntegerField()
    last_seen_at = models.DateTimeField(
        default=timezone.now, help_text="last poll that saw it while waited on, or saw it change"
    )
    vanished_at = models.DateTimeField(null=True, blank=True)
    released_by = models.CharField(max_length=150, blank=True, help_text="who released a held deposit")

    class Meta:
        ordering = ["-first_seen_at", "-id"]
        permissions = [("release_deposit", "Can release a held deposit for crediting")]
        constraints = [
            models.UniqueConstraint(fields=["txid", "account_index", "address_index"], name="deposit_unique_group"),
            models.CheckConstraint(condition=Q(amount_atomic__gt=0, output_count__gt=0), name="deposit_positive"),
            models.CheckConstraint(
                condition=(Q(state=DepositState.HELD) & ~Q(hold_reason=""))
                | (~Q(state=DepositState.HELD) & Q(hold_reason="")),
                name="deposit_held_iff_reason",
            ),
            models.CheckConstraint(
                condition=Q(state=DepositState.ORPHANED) | Q(claim__isnull=False), name="deposit_claim_unless_orphan"
            ),
        ]
        indexes = [
            models.Index(fields=["state", "height"], name="deposit_state_height"),
            models.Index(fields=["claim", "state"], name="deposit_claim_state"),
        ]

    def __str__(self) -> str:
        return f"{self.txid[:12]}… → ({self.account_index}, {self.address_index}) {self.amount_atomic} {self.state}"

    @property
    def display_state(self) -> str:
        if self.vanished_at is not None:
            return "credited, then VANISHED (under review)" if self.state == DepositState.CREDITED else "vanished"
        return self.get_state_display()


class ClaimCredit(ImmutableModel):
    """SESH credited to a claim's ETH address for one deposit: `floor(amount × rate × multiplier)`.

    When the pool could not cover it, `sesh_atomic < wanted_sesh_atomic` and `capped` is set.
    """

    deposit = models.OneToOneField(Deposit, on_delete=models.PROTECT, related_name="credit")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="credits")
    eth_address = models.CharField(max_length=42)
    txid = models.CharField(max_length=64)
    account_index = models.PositiveIntegerField()
    address_index = models.PositiveIntegerField()
    output_count = models.PositiveIntegerField()
    amount_oxen_atomic = models.BigIntegerField()
    snapshot = models.ForeignKey(SupplySnapshot, on_delete=models.PROTECT, related_name="credits")
    rate_num = models.BigIntegerField()
    rate_den = models.BigIntegerField()
    multiplier_num = models.BigIntegerField()
    multiplier_den = models.BigIntegerField()
    wanted_sesh_atomic = models.BigIntegerField(help_text="floor(amount × rate × multiplier) before the budget guard")
    sesh_atomic = models.BigIntegerField(help_text="what was credited")
    capped = models.BooleanField(default=False)
    block_height = models.PositiveBigIntegerField()
    block_timestamp = models.PositiveBigIntegerField(help_text="decides the multiplier")
    credited_height = models.PositiveBigIntegerField(help_text="the wallet's height in the poll that credited it")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["txid", "account_index", "address_index"], name="credit_unique_group"),
            models.CheckConstraint(condition=Q(amount_oxen_atomic__gt=0), name="credit_amount_positive"),
            models.CheckConstraint(
                condition=Q(rate_num__gt=0, rate_den__gt=0, multiplier_num__gte=0, multiplier_den__gt=0),
                name="credit_fractions_valid",
            ),
            models.CheckConstraint(
                condition=Q(sesh_atomic__gte=0, sesh_atomic__lte=F("wanted_sesh_atomic")),
                name="credit_within_wanted",
            ),
            models.CheckConstraint(
                condition=Q(capped=True, sesh_atomic__lt=F("wanted_sesh_atomic"))
                | Q(capped=False, sesh_atomic=F("wanted_sesh_atomic")),
                name="credit_capped_iff_short",
            ),
            models.CheckConstraint(condition=Q(credited_height__gt=F("block_height")), name="credit_after_block"),
        ]
        indexes = [models.Index(fields=["eth_address", "created_at"], name="credit_eth_created")]

    def __str__(self) -> str:
        return f"{self.sesh_atomic} SESH → {self.eth_address} for {self.txid[:12]}…"

    @property
    def multiplier(self) -> Fraction:
        return Fraction(self.multiplier_num, self.multiplier_den)


class ClaimsLedger(models.Model):
    """The one row every crediting transaction locks: running totals and the locked snapshot."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    snapshot = models.ForeignKey(
        SupplySnapshot, null=True, blank=True, on_delete=models.PROTECT, help_text="set at the first credit: locked"
    )
    pool_atomic = models.BigIntegerField(default=0, help_text="the locked snapshot's pool")
    credited_sesh_atomic = models.BigIntegerField(default=0)
    credited_oxen_atomic = models.BigIntegerField(default=0)
    credit_count = models.PositiveBigIntegerField(default=0)
    last_poll_height = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="wallet height of the last applied poll; empty = the next poll reads all"
    )
    last_poll_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="ledger_single_row"),
            models.CheckConstraint(
                condition=Q(credited_sesh_atomic__gte=0, credited_sesh_atomic__lte=F("pool_atomic")),
                name="ledger_never_above_pool",
            ),
            models.CheckConstraint(
                condition=Q(snapshot__isnull=True, credit_count=0) | Q(snapshot__isnull=False),
                name="ledger_credits_need_snapshot",
            ),
        ]

    def __str__(self) -> str:
        return f"claims ledger: {self.credited_sesh_atomic} of {self.pool_atomic} atomic SESH credited"
