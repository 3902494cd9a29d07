"""Writing audit events: in the same transaction as the change they describe, or not at all."""

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.db import transaction

from swap.models import AuditEvent


class AuditOutsideTransactionError(RuntimeError):
    """An audit event was written outside a transaction, so it could outlive a rolled-back change."""


def hash_ip(ip: str | None) -> str:
    """Return a keyed hash of a client IP: events can be correlated, addresses not recovered."""
    if not ip:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()


def record_event(
    tag: str, *, actor: str, subject: str = "", data: dict[str, Any] | None = None, ip: str | None = None
) -> AuditEvent:
    """Append one audit event. Must run inside the transaction of the change it records."""
    if not transaction.get_connection().in_atomic_block:
        raise AuditOutsideTransactionError(f"audit event {tag!r} written outside a transaction")
    return AuditEvent.objects.create(tag=tag, actor=actor, subject=subject, data=data or {}, ip_hash=hash_ip(ip))
