"""Audit events written in bulk, for the watcher's batches (one event per state change).

`swap.audit.record_event` inserts one row per call; a poll that credits a hundred
thousand deposits would spend most of its time in those round trips. This writes the same rows
with `bulk_create`, under the same rule: only inside the transaction of the change they record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from swap.audit import AuditOutsideTransactionError
from swap.models import AuditEvent

BATCH = 500


@dataclass
class EventBatch:
    """Events collected during one transaction and written together by `flush`."""

    actor: str
    events: list[AuditEvent] = field(default_factory=list)

    def add(self, tag: str, subject: str, data: dict[str, Any]) -> None:
        self.events.append(AuditEvent(tag=tag, actor=self.actor, subject=subject, data=data, created_at=timezone.now()))

    def flush(self) -> int:
        if not self.events:
            return 0
        if not transaction.get_connection().in_atomic_block:
            raise AuditOutsideTransactionError("claims audit events written outside a transaction")
        AuditEvent.objects.bulk_create(self.events, batch_size=BATCH)
        count = len(self.events)
        self.events = []
        return count
