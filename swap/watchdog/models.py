"""The watchdog's own records: how far it has read the distributor, what it saw, what it judged.

The watchdog keeps its own copy of the distributor's `RootProposed`, `RootPublished` and `Claimed`
events, read through its own node (`WATCHDOG_RPC_URL`), so that none of its verdicts rests on
what the service's workers wrote. Every event is stored once (unique per transaction and log
index); a verdict moves only from `unchecked` by compare-and-swap, and a response (veto, pause)
is recorded once, so a second pass over the same blocks does nothing twice.

Amounts the distributor paid (`Claimed`) are atomic SESH in a signed 64-bit column, as in the
claim index: SESH's whole supply fits many times. What a proposal *declares* (`total`, `accounts`)
is a uint256 anyone holding the publisher key chooses, so it is kept as decimal text, exactly.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class Verdict(models.TextChoices):
    UNCHECKED = "unchecked", "not checked yet"
    OK = "ok", "ok"
    MISMATCH = "mismatch", "MISMATCH"


class WatchCursor(models.Model):
    """How far the watchdog has read one distributor, and its heartbeat: when its last pass completed.

    `next_block` and `last_block_hash` move together with the events read up to there (one
    transaction per chunk of blocks); `last_pass_at` is written at the end of every completed
    pass, and `check_heartbeat` raises an alert when it gets older than the setting.
    """

    chain_id = models.PositiveBigIntegerField()
    distributor = models.CharField(max_length=42)
    next_block = models.BigIntegerField(default=0, help_text="the first block not read yet")
    last_block_hash = models.CharField(max_length=66, blank=True, help_text="hash of block next_block − 1")
    last_pass_at = models.DateTimeField(null=True, blank=True, help_text="the heartbeat: end of the last full pass")
    last_pass_head = models.BigIntegerField(null=True, blank=True, help_text="the chain's head at that pass")
    passes = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["chain_id", "distributor"], name="watch_cursor_unique")]

    def __str__(self) -> str:
        return f"watchdog of {self.distributor}@{self.chain_id} at block {self.next_block}"


class ProposalCheck(models.Model):
    """One proposed root (a `RootProposed` log, or the pending root read from the contract) and its verdict."""

    class Source(models.TextChoices):
        LOG = "log", "RootProposed event"
        STATE = "state", "pending root read from the contract"

    chain_id = models.PositiveBigIntegerField()
    distributor = models.CharField(max_length=42)
    round_id = models.PositiveBigIntegerField()
    root = models.CharField(max_length=66)
    declared_total = models.CharField(max_length=78, help_text="uint256 as proposed, decimal")
    declared_accounts = models.CharField(max_length=78, help_text="uint256 as proposed, decimal")
    activates_at = models.PositiveBigIntegerField(help_text="unix seconds, from the proposal")
    source = models.CharField(max_length=5, choices=Source.choices)
    tx_hash = models.CharField(max_length=66, blank=True)
    log_index = models.PositiveIntegerField(null=True, blank=True)
    block_number = models.BigIntegerField(null=True, blank=True)
    seen_at = models.DateTimeField(default=timezone.now)
    verdict = models.CharField(max_length=9, choices=Verdict.choices, default=Verdict.UNCHECKED, db_index=True)
    reasons = models.JSONField(default=list, blank=True, help_text="what did not match, one line each")
    figures = models.JSONField(default=dict, blank=True, help_text="what was compared: balance, paid, rebuilt roots")
    checked_at = models.DateTimeField(null=True, blank=True)
    response = models.CharField(max_length=300, blank=True, help_text="what the watchdog did about a mismatch")
    vetoed_tx_hash = models.CharField(max_length=66, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["chain_id", "distributor", "round_id", "root", "activates_at"],
                                    name="proposal_check_unique"),
            models.CheckConstraint(condition=Q(verdict__in=Verdict.values), name="proposal_check_verdict_valid"),
            models.CheckConstraint(condition=Q(responded_at__isnull=True) | Q(verdict=Verdict.MISMATCH),
                                   name="proposal_check_responds_to_mismatch"),
        ]

    def __str__(self) -> str:
        return f"proposal of round {self.round_id} {self.root[:10]}… [{self.verdict}]"


class RootActivation(models.Model):
    """A `RootPublished` event: from this log on, `root` of round `round_id` was the claimable one."""

    chain_id = models.PositiveBigIntegerField()
    distributor = models.CharField(max_length=42)
    round_id = models.PositiveBigIntegerField()
    root = models.CharField(max_length=66)
    block_number = models.BigIntegerField()
    log_index = models.PositiveIntegerField()
    tx_hash = models.CharField(max_length=66)

    class Meta:
        ordering = ["-block_number", "-log_index"]
        constraints = [
            models.UniqueConstraint(fields=["chain_id", "tx_hash", "log_index"], name="root_activation_unique"),
        ]

    def __str__(self) -> str:
        return f"round {self.round_id} active from block {self.block_number}"


class ClaimCheck(models.Model):
    """A `Claimed` event held to the frozen entitlement of the round active when it was paid."""

    chain_id = models.PositiveBigIntegerField()
    distributor = models.CharField(max_length=42)
    tx_hash = models.CharField(max_length=66)
    log_index = models.PositiveIntegerField()
    block_number = models.BigIntegerField(db_index=True)
    eth_address = models.CharField(max_length=42, db_index=True)
    amount_atomic = models.BigIntegerField()
    cumulative_atomic = models.BigIntegerField(help_text="claimed[account] after this event")
    round_id = models.PositiveBigIntegerField(null=True, blank=True, help_text="the round active on chain then")
    entitled_atomic = models.BigIntegerField(null=True, blank=True, help_text="the frozen cumulative amount")
    verdict = models.CharField(max_length=9, choices=Verdict.choices, db_index=True)
    reason = models.CharField(max_length=300, blank=True)
    response = models.CharField(max_length=300, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-block_number", "-log_index"]
        constraints = [
            models.UniqueConstraint(fields=["chain_id", "tx_hash", "log_index"], name="claim_check_unique"),
            models.CheckConstraint(condition=Q(amount_atomic__gt=0) & Q(cumulative_atomic__gte=F("amount_atomic")),
                                   name="claim_check_amounts_valid"),
            models.CheckConstraint(condition=Q(verdict__in=[Verdict.OK, Verdict.MISMATCH]),
                                   name="claim_check_verdict_valid"),
            models.CheckConstraint(condition=Q(responded_at__isnull=True) | Q(verdict=Verdict.MISMATCH),
                                   name="claim_check_responds_to_mismatch"),
        ]

    def __str__(self) -> str:
        return f"Claimed {self.amount_atomic} by {self.eth_address} at block {self.block_number} [{self.verdict}]"


class AlertKind(models.TextChoices):
    ROOT_MISMATCH = "root_mismatch", "proposed root does not match the frozen round"
    CLAIM_MISMATCH = "claim_mismatch", "claim above the frozen entitlement"
    HEARTBEAT_STALE = "heartbeat_stale", "watchdog heartbeat stale or missing"


class Alert(models.Model):
    """Something a person must look at; the admin home page shows it in red until it is acknowledged.

    `subject` names what the alert is about (a proposal check, a claim check, one stale episode of
    the heartbeat), and (kind, subject) is unique, so the same finding never raises two alerts.
    """

    Kind = AlertKind

    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    subject = models.CharField(max_length=200)
    message = models.CharField(max_length=500)
    data = models.JSONField(default=dict, blank=True)
    raised_at = models.DateTimeField(default=timezone.now, db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        permissions = [("acknowledge_alert", "Can acknowledge a watchdog alert")]
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject"], name="alert_once_per_subject"),
            models.CheckConstraint(condition=Q(kind__in=AlertKind.values), name="alert_kind_valid"),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True, acknowledged_by="")
                | (Q(acknowledged_at__isnull=False) & ~Q(acknowledged_by="")),
                name="alert_acknowledged_by_someone",
            ),
        ]

    def __str__(self) -> str:
        state = "open" if self.acknowledged_at is None else f"acknowledged by {self.acknowledged_by}"
        return f"{self.get_kind_display()}: {self.subject} [{state}]"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None
