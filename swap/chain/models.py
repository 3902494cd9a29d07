"""The L2 outbox: every transaction the service sends, from the moment it is wanted to its finality.

- `ChainAccount` holds the next nonce of a signer on a chain. Nonces come from this row (locked
  with SELECT … FOR UPDATE), never from the node's pending count, so two workers can never sign
  two different transactions with one nonce.
- `L2Transaction` is one logical transaction: what to call (to, data, value) and why (purpose,
  subject), its nonce once signed, and where it was mined. Its status only moves through
  `swap.chain.outbox`, by compare-and-swap.
- `L2TransactionAttempt` is one signed version of it: the exact bytes and hash, stored before
  they are broadcast. A fee bump adds an attempt with the same nonce; at most one can be mined.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class ChainAccount(models.Model):
    """A signer on one chain and the next nonce the service will give it."""

    chain_id = models.PositiveBigIntegerField()
    address = models.CharField(max_length=42, help_text="EIP-55")
    next_nonce = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["chain_id", "address"], name="chain_account_unique"),
            models.CheckConstraint(condition=Q(next_nonce__gte=0), name="chain_account_nonce_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.address}@{self.chain_id} next nonce {self.next_nonce}"


class L2TxStatus(models.TextChoices):
    """Where a transaction is in its life; moved only by compare-and-swap in swap.chain.outbox."""

    QUEUED = "queued", "queued (not signed yet)"
    SIGNED = "signed", "signed and stored, not known to be broadcast"
    BROADCAST = "broadcast", "accepted by the node"
    MINED = "mined", "in a block, not final yet"
    CONFIRMED = "confirmed", "final, succeeded"
    REVERTED = "reverted", "final, reverted by the contract"
    FAILED = "failed", "given up (never mined)"


class L2TxPurpose(models.TextChoices):
    """Why the service sends a transaction; owners react to its final status by purpose.

    The outbox signs only the purposes in `SIGNABLE_PURPOSES`, each re-derived from its owner at
    signing (`swap.chain.authorization`). The others remain for rows written before root safety
    (deployments and role grants now go through the deployer key and the Safe).
    """

    PROPOSE_ROOT = "propose_root", "propose a round's Merkle root"
    ACTIVATE_ROOT = "activate_root", "activate a pending root after its delay"
    PAYOUT_BATCH = "payout_batch", "batch claim for accounts that asked for delivery"
    WITHDRAW_REMAINDER = "withdraw_remainder", "the Safe's signed withdrawRemainder, executed after the end"
    DEPLOY = "deploy", "contract deployment (before root safety)"
    FUND = "fund", "token transfer or mint to the distributor (before root safety)"
    ADMIN = "admin", "role or pause change (before root safety)"
    OTHER = "other", "other"


SIGNABLE_PURPOSES = (L2TxPurpose.PROPOSE_ROOT, L2TxPurpose.ACTIVATE_ROOT, L2TxPurpose.PAYOUT_BATCH,
                     L2TxPurpose.WITHDRAW_REMAINDER)


class L2Transaction(models.Model):
    """One logical transaction of the outbox. See `swap.chain.outbox` for its life."""

    Status = L2TxStatus
    Purpose = L2TxPurpose

    OPEN_STATUSES = (Status.QUEUED, Status.SIGNED, Status.BROADCAST, Status.MINED)
    FINAL_STATUSES = (Status.CONFIRMED, Status.REVERTED, Status.FAILED)

    chain_id = models.PositiveBigIntegerField()
    sender = models.CharField(max_length=42, help_text="EIP-55 address of the signer")
    nonce = models.BigIntegerField(null=True, blank=True, help_text="from ChainAccount; null until signed")
    to_address = models.CharField(max_length=42, blank=True, help_text="empty for a contract creation")
    value_wei = models.BigIntegerField(default=0)
    data = models.TextField(blank=True, help_text="0x-prefixed call data")
    gas_limit = models.BigIntegerField(null=True, blank=True)
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    subject = models.CharField(max_length=100, blank=True, db_index=True, help_text="e.g. round:3, payout-batch:12")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True)
    # Filled from the receipt of whichever attempt was mined; cleared again by a reorg.
    tx_hash = models.CharField(max_length=66, blank=True, help_text="hash of the mined attempt")
    block_number = models.BigIntegerField(null=True, blank=True)
    block_hash = models.CharField(max_length=66, blank=True)
    gas_used = models.BigIntegerField(null=True, blank=True)
    contract_address = models.CharField(max_length=42, blank=True, help_text="created contract (deploy)")
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    broadcast_at = models.DateTimeField(null=True, blank=True, help_text="first accepted by a node")
    mined_at = models.DateTimeField(null=True, blank=True)
    finalized_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["chain_id", "sender", "nonce"], name="l2tx_unique_nonce"),
            models.CheckConstraint(condition=Q(value_wei__gte=0), name="l2tx_value_gte_0"),
            models.CheckConstraint(condition=Q(nonce__isnull=True) | Q(nonce__gte=0), name="l2tx_nonce_gte_0"),
            models.CheckConstraint(condition=Q(status__in=L2TxStatus.values), name="l2tx_status_valid"),
            models.CheckConstraint(condition=Q(purpose__in=L2TxPurpose.values), name="l2tx_purpose_valid"),
            # Past the queue a transaction has a nonce for good (a failure before signing has none).
            models.CheckConstraint(
                condition=Q(status__in=["queued", "failed"]) | Q(nonce__isnull=False), name="l2tx_signed_has_nonce"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["mined", "confirmed", "reverted"])
                | (Q(block_number__isnull=False) & ~Q(block_hash="") & ~Q(tx_hash="")),
                name="l2tx_mined_has_block",
            ),
        ]
        indexes = [models.Index(fields=["status", "id"])]

    def __str__(self) -> str:
        return f"L2Transaction {self.pk} {self.purpose} {self.subject} [{self.status}] nonce {self.nonce}"


class AttemptKind(models.TextChoices):
    ORIGINAL = "original", "the transaction as queued"
    REPLACEMENT = "replacement", "the same call with higher fees"
    CANCEL = "cancel", "a 0-value transfer to self that uses up the nonce"


class L2TransactionAttempt(models.Model):
    """One signed version of a transaction. The bytes are stored before any broadcast.

    A `cancel` attempt fills the nonce of a transaction the node refuses for good, so the
    transactions queued behind it are not stuck forever; if it is the one mined, the transaction
    ends as failed and its owner (round, batch) takes the job back.
    """

    Kind = AttemptKind

    transaction = models.ForeignKey(L2Transaction, on_delete=models.PROTECT, related_name="attempts")
    kind = models.CharField(max_length=12, choices=AttemptKind.choices, default=AttemptKind.ORIGINAL)
    tx_hash = models.CharField(max_length=66, unique=True)
    raw_transaction = models.TextField(help_text="0x-prefixed signed bytes, exactly as broadcast")
    max_fee_per_gas = models.BigIntegerField()
    max_priority_fee_per_gas = models.BigIntegerField()
    gas_limit = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    broadcast_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_fee_per_gas__gte=0) & Q(max_priority_fee_per_gas__gte=0) & Q(gas_limit__gt=0),
                name="l2tx_attempt_fees_valid",
            ),
            models.CheckConstraint(
                condition=Q(max_priority_fee_per_gas__lte=models.F("max_fee_per_gas")), name="l2tx_attempt_tip_le_cap"
            ),
        ]

    def __str__(self) -> str:
        return f"attempt {self.tx_hash} of tx {self.transaction_id}"


class ProgramEndAnnouncement(models.Model):
    """An end of the program read on the distributor (`endTime`), announced to holders.

    Append-only: moving the end later adds a row; an earlier end is refused by the contract and
    by `swap.chain.program_end` before it. The latest row is the end in force.
    """

    chain_id = models.PositiveBigIntegerField()
    distributor = models.CharField(max_length=42)
    end_time = models.BigIntegerField(help_text="unix seconds, as the distributor holds it")
    announced_at = models.DateTimeField(default=timezone.now)
    actor = models.CharField(max_length=150)

    class Meta:
        ordering = ["-end_time"]
        constraints = [
            models.UniqueConstraint(fields=["chain_id", "distributor", "end_time"], name="program_end_unique"),
            models.CheckConstraint(condition=Q(end_time__gt=0), name="program_end_positive"),
        ]

    def __str__(self) -> str:
        return f"program end {self.end_time} on {self.distributor}"


class ProgramClosure(models.Model):
    """The moment the service closed claims and registrations (one per distributor)."""

    chain_id = models.PositiveBigIntegerField()
    distributor = models.CharField(max_length=42)
    end_time = models.BigIntegerField()
    chain_time = models.BigIntegerField(help_text="the chain's clock when it closed, unix seconds")
    closed_at = models.DateTimeField(default=timezone.now)
    actor = models.CharField(max_length=150)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["chain_id", "distributor"], name="program_closure_unique"),
        ]

    def __str__(self) -> str:
        return f"claims closed on {self.distributor} at chain time {self.chain_time}"


class RemainderWithdrawal(models.Model):
    """The Safe transaction that sends what is left to the reward pool, from preparation to the chain.

    `prepared`: the Safe transaction is fixed (nonce, data, hash); `queued`: enough owner
    signatures were given and its `execTransaction` is in the outbox; `confirmed` / `failed`: the
    outbox's final word. One live row per distributor (a failed one may be prepared again).
    """

    class Status(models.TextChoices):
        PREPARED = "prepared", "prepared, waiting for the owners' signatures"
        QUEUED = "queued", "signed by the owners, in the outbox"
        CONFIRMED = "confirmed", "withdrawn (final on chain)"
        FAILED = "failed", "the transaction failed or reverted"

    chain_id = models.PositiveBigIntegerField()
    distributor = models.CharField(max_length=42)
    safe = models.CharField(max_length=42)
    recipient = models.CharField(max_length=42)
    safe_nonce = models.BigIntegerField()
    safe_tx_hash = models.CharField(max_length=66)
    data = models.TextField(help_text="the Safe's inner call: withdrawRemainder(recipient)")
    signatures = models.JSONField(default=dict, blank=True, help_text="owner -> 0x signature (65 bytes)")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PREPARED)
    transaction = models.OneToOneField(L2Transaction, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="remainder_withdrawal")
    amount_atomic = models.BigIntegerField(null=True, blank=True, help_text="from the RemainderWithdrawn event")
    created_at = models.DateTimeField(default=timezone.now)
    actor = models.CharField(max_length=150)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["chain_id", "distributor"], condition=~Q(status="failed"),
                                    name="remainder_one_live"),
            models.CheckConstraint(condition=Q(amount_atomic__isnull=True) | Q(amount_atomic__gte=0),
                                   name="remainder_amount_gte_0"),
            models.CheckConstraint(condition=Q(status="prepared") | Q(status="failed") | Q(transaction__isnull=False),
                                   name="remainder_queued_has_tx"),
        ]

    def __str__(self) -> str:
        return f"remainder of {self.distributor} to {self.recipient} [{self.status}]"
