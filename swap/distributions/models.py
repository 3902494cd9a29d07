"""Cumulative distribution rounds, their frozen entries, and payouts pushed to people who asked.

A round is a draft until `freeze_round` writes all its entries, its Merkle root and its dump in
one database transaction; from then on the round's figures and every entry are immutable — in
`save`/`delete`, in querysets (bulk update/delete), and on PostgreSQL in triggers too (migration
0002), so neither a code path we forgot nor a stray SQL statement can rewrite what was published.
Status moves (frozen → proposed → pending → active, or vetoed) only by compare-and-swap in the
services. Round numbers are the distributor's round ids: a vetoed round keeps its number for the
record, and the round that replaces it on chain takes the same number again.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from swap.chain.models import L2Transaction
from swap.models import AppendOnlyError, AppendOnlyQuerySet


class FrozenRoundError(AppendOnlyError):
    """Something tried to change a frozen round's figures or entries."""


class RoundStatus(models.TextChoices):
    """A round's life. On chain a root is proposed, waits out the activation delay, then is activated."""

    DRAFT = "draft", "draft"
    FROZEN = "frozen", "frozen (entries and root fixed)"
    PROPOSED = "proposed", "proposed (proposal sent to the distributor)"
    PENDING = "pending", "pending activation (proposal final on chain, delay running)"
    ACTIVE = "active", "active (root claimable on chain)"
    VETOED = "vetoed", "vetoed by the guardian (never claimable)"


# Statuses whose root is on its way to the chain or there: at most one round is in them at a time.
IN_FLIGHT_STATUSES = (RoundStatus.PROPOSED, RoundStatus.PENDING)
# What freezing fixes forever. Status, the chain transactions and timestamps move on.
FROZEN_FIELDS = frozenset(
    {"number", "cutoff_at", "root", "count", "total_atomic", "bonus_total_atomic", "claims_total_atomic",
     "dump_sha256"}
)


class RoundQuerySet(models.QuerySet):
    """Bulk updates may not touch frozen figures; bulk deletes may only remove drafts."""

    def numbered(self) -> RoundQuerySet:
        """The rounds that carry their number: all but vetoed ones (whose number was taken again)."""
        return self.exclude(status=RoundStatus.VETOED)

    def update(self, **kwargs: Any) -> int:
        touched = FROZEN_FIELDS.intersection(kwargs)
        if touched:
            raise FrozenRoundError(f"round figures {sorted(touched)} are set by freeze_round only")
        return super().update(**kwargs)

    def _freeze(self, **kwargs: Any) -> int:
        """The one write of frozen figures: `freeze_round`'s compare-and-swap from draft."""
        return models.QuerySet.update(self.filter(status=RoundStatus.DRAFT), **kwargs)

    def delete(self) -> Any:
        if self.exclude(status=RoundStatus.DRAFT).exists():
            raise FrozenRoundError("frozen rounds are never deleted")
        return super().delete()


class DistributionRound(models.Model):
    """One cumulative round: every account's total entitlement up to `cutoff_at`."""

    Status = RoundStatus

    number = models.PositiveIntegerField(help_text="the distributor's round id; unique but for vetoed rounds")
    status = models.CharField(max_length=10, choices=RoundStatus.choices, default=RoundStatus.DRAFT, db_index=True)
    cutoff_at = models.DateTimeField(help_text="entitlements accrued up to this instant")
    root = models.CharField(max_length=66, blank=True, help_text="0x + 64 hex; set when frozen")
    count = models.PositiveIntegerField(default=0)
    total_atomic = models.BigIntegerField(default=0)
    bonus_total_atomic = models.BigIntegerField(default=0)
    claims_total_atomic = models.BigIntegerField(default=0)
    dump_sha256 = models.CharField(max_length=64, blank=True, help_text="sha256 of the standard-v1 dump text")
    distributor_address = models.CharField(max_length=42, blank=True)
    propose_tx = models.ForeignKey(
        L2Transaction, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="the transaction that proposes this root to the distributor",
    )
    activate_tx = models.ForeignKey(
        L2Transaction, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="the service's activation transaction (empty when someone else activated it first)",
    )
    activates_at = models.DateTimeField(null=True, blank=True, help_text="from the RootProposed event")
    activated_tx_hash = models.CharField(max_length=66, blank=True, help_text="the transaction that activated it")
    vetoed_tx_hash = models.CharField(max_length=66, blank=True, help_text="the guardian's veto")
    created_at = models.DateTimeField(default=timezone.now)
    frozen_at = models.DateTimeField(null=True, blank=True)
    proposed_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    vetoed_at = models.DateTimeField(null=True, blank=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        permissions = [
            ("freeze_round", "Can freeze a distribution round"),
            ("publish_round", "Can publish a round's root on the L2 (propose; activation follows)"),
            ("run_payouts", "Can start payout batches"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RoundStatus.values), name="round_status_valid"),
            models.CheckConstraint(
                condition=Q(total_atomic__gte=0) & Q(bonus_total_atomic__gte=0) & Q(claims_total_atomic__gte=0),
                name="round_totals_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(total_atomic=F("bonus_total_atomic") + F("claims_total_atomic")), name="round_total_is_sum"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | (~Q(root="") & ~Q(dump_sha256="") & Q(frozen_at__isnull=False)),
                name="round_frozen_has_root",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["proposed", "pending"]) | Q(propose_tx__isnull=False),
                name="round_proposed_has_tx",
            ),
            models.CheckConstraint(
                condition=~Q(status="pending") | Q(activates_at__isnull=False), name="round_pending_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | (~Q(activated_tx_hash="") & Q(activated_at__isnull=False)),
                name="round_active_has_activation",
            ),
            # One draft at a time: the next round is prepared only after the last one is frozen.
            models.UniqueConstraint(fields=["status"], condition=Q(status="draft"), name="round_one_draft"),
            # One root on its way to the chain at a time: the distributor holds one pending root.
            models.UniqueConstraint(
                fields=["distributor_address"], condition=Q(status__in=["proposed", "pending"]),
                name="round_one_in_flight",
            ),
            models.UniqueConstraint(fields=["number"], condition=~Q(status="vetoed"), name="round_number_unique"),
        ]

    def __str__(self) -> str:
        return f"round {self.number} [{self.status}]"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values("status", *FROZEN_FIELDS).first()
            if stored and stored["status"] != RoundStatus.DRAFT:
                changed = sorted(name for name in FROZEN_FIELDS if getattr(self, name) != stored[name])
                if changed:
                    raise FrozenRoundError(f"round {stored['number']} is frozen: {changed} cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if type(self).objects.filter(pk=self.pk).exclude(status=RoundStatus.DRAFT).exists():
            raise FrozenRoundError("frozen rounds are never deleted")
        return super().delete(*args, **kwargs)

    @property
    def is_frozen(self) -> bool:
        return self.status != RoundStatus.DRAFT


class _InsertOnly(models.Model):
    """Rows written once, in the freezing transaction, and never again."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise FrozenRoundError(f"{type(self).__name__} rows are frozen")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise FrozenRoundError(f"{type(self).__name__} rows are frozen")


class DistributionEntry(_InsertOnly):
    """An account's cumulative entitlement in a round, and its Merkle proof (frozen)."""

    round = models.ForeignKey(DistributionRound, on_delete=models.PROTECT, related_name="entries")
    eth_address = models.CharField(max_length=42, help_text="EIP-55")
    bonus_atomic = models.BigIntegerField()
    claims_atomic = models.BigIntegerField()
    cumulative_atomic = models.BigIntegerField(help_text="bonus + claims: the leaf amount")
    proof = models.BinaryField(help_text="the sibling hashes, 32 bytes each, leaf first")

    class Meta:
        verbose_name_plural = "distribution entries"
        constraints = [
            models.UniqueConstraint(fields=["round", "eth_address"], name="entry_unique_per_round"),
            models.CheckConstraint(
                condition=Q(bonus_atomic__gte=0) & Q(claims_atomic__gte=0) & Q(cumulative_atomic__gt=0),
                name="entry_amounts_valid",
            ),
            models.CheckConstraint(
                condition=Q(cumulative_atomic=F("bonus_atomic") + F("claims_atomic")), name="entry_cumulative_is_sum"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.eth_address} {self.cumulative_atomic} in round {self.round_id}"

    @property
    def proof_hex(self) -> list[str]:
        raw = bytes(self.proof)
        return ["0x" + raw[i : i + 32].hex() for i in range(0, len(raw), 32)]


class RoundDump(_InsertOnly):
    """The round's `standard-v1` dump, byte for byte as published, and its sha256."""

    round = models.OneToOneField(DistributionRound, on_delete=models.PROTECT, primary_key=True, related_name="dump")
    text = models.TextField()
    sha256 = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"dump of round {self.round_id} sha256 {self.sha256}"


class PayoutRequest(models.Model):
    """An ETH address whose owner asked the service to push claims instead of claiming themselves."""

    eth_address = models.CharField(max_length=42, unique=True, help_text="EIP-55")
    requested_by = models.CharField(max_length=150, help_text="who asked: web, user:<name>, …")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"payout request {self.eth_address}"


class PayoutBatchStatus(models.TextChoices):
    PENDING = "pending", "pending (transaction in the outbox)"
    CONFIRMED = "confirmed", "confirmed on chain"
    FAILED = "failed", "failed; its accounts are batched again"


class PayoutBatch(models.Model):
    """One batch-claim transaction for up to `L2_PAYOUT_BATCH_SIZE` accounts of one round."""

    Status = PayoutBatchStatus

    round = models.ForeignKey(DistributionRound, on_delete=models.PROTECT, related_name="payout_batches")
    status = models.CharField(max_length=10, choices=PayoutBatchStatus.choices, default="pending", db_index=True)
    transaction = models.OneToOneField(L2Transaction, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PayoutBatchStatus.values), name="payout_batch_status_valid"),
        ]

    def __str__(self) -> str:
        return f"payout batch {self.pk} of round {self.round_id} [{self.status}]"


class PayoutItem(models.Model):
    """One account in a payout batch. While active, the account is not batched again for the round."""

    batch = models.ForeignKey(PayoutBatch, on_delete=models.PROTECT, related_name="items")
    round = models.ForeignKey(DistributionRound, on_delete=models.PROTECT, related_name="+")
    eth_address = models.CharField(max_length=42)
    cumulative_atomic = models.BigIntegerField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "eth_address"], condition=Q(active=True), name="payout_item_once_per_round"
            ),
            models.CheckConstraint(condition=Q(cumulative_atomic__gt=0), name="payout_item_amount_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.eth_address} in batch {self.batch_id}"


class ClaimEvent(models.Model):
    """A `Claimed` event of the distributor, indexed once its block is final (see claim_index)."""

    chain_id = models.PositiveBigIntegerField()
    distributor = models.CharField(max_length=42)
    tx_hash = models.CharField(max_length=66)
    log_index = models.PositiveIntegerField()
    block_number = models.BigIntegerField()
    block_hash = models.CharField(max_length=66)
    eth_address = models.CharField(max_length=42, db_index=True)
    # uint256 on chain; SESH's whole supply (2.4e17 atomic) fits a signed 64-bit integer many times.
    amount_atomic = models.BigIntegerField()
    cumulative_atomic = models.BigIntegerField(help_text="claimed[account] after this event")

    class Meta:
        ordering = ["block_number", "log_index"]
        constraints = [
            models.UniqueConstraint(fields=["chain_id", "tx_hash", "log_index"], name="claim_event_unique"),
            models.CheckConstraint(condition=Q(amount_atomic__gt=0) & Q(cumulative_atomic__gt=0),
                                   name="claim_event_amounts_gt_0"),
        ]

    def __str__(self) -> str:
        return f"Claimed {self.amount_atomic} by {self.eth_address} at block {self.block_number}"


class ClaimIndexCursor(models.Model):
    """How far the claim index has read a distributor: the next block, and the last one's hash."""

    chain_id = models.PositiveBigIntegerField()
    distributor = models.CharField(max_length=42)
    next_block = models.BigIntegerField(default=0)
    last_block_hash = models.CharField(max_length=66, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["chain_id", "distributor"], name="claim_cursor_unique")]

    def __str__(self) -> str:
        return f"claim index of {self.distributor}@{self.chain_id} at block {self.next_block}"
