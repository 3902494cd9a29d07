"""Raising and resolving review flags, each with its audit event in the same transaction."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from claims.models import Claim, ClaimFlag, Deposit, FlagKind
from swap.audit import record_event


def raise_flag(
    kind: FlagKind,
    key: str,
    message: str,
    *,
    actor: str,
    deposit: Deposit | None = None,
    claim: Claim | None = None,
    data: dict[str, Any] | None = None,
) -> ClaimFlag | None:
    """Open a flag unless one is already open for (kind, key); returns the new flag or None."""
    if ClaimFlag.objects.filter(kind=kind, key=key, resolved_at__isnull=True).exists():
        return None
    try:
        with transaction.atomic():
            flag = ClaimFlag.objects.create(
                kind=kind, key=key, message=message, deposit=deposit, claim=claim, data=data or {}
            )
            details = {"kind": str(kind), "message": message, **(data or {})}
            record_event("claims:flag_raised", actor=actor, subject=key, data=details)
    except IntegrityError:  # opened concurrently by another process: one open flag is enough
        return None
    return flag


def resolve_flags(flag_ids: list[int], *, actor: str) -> int:
    """Mark open flags resolved (compare-and-swap: a flag is resolved once); returns how many."""
    with transaction.atomic():
        open_flags = list(ClaimFlag.objects.select_for_update().filter(pk__in=flag_ids, resolved_at__isnull=True))
        now = timezone.now()
        for flag in open_flags:
            ClaimFlag.objects.filter(pk=flag.pk, resolved_at__isnull=True).update(resolved_at=now, resolved_by=actor)
            record_event("claims:flag_resolved", actor=actor, subject=flag.key, data={"kind": flag.kind, "id": flag.pk})
        return len(open_flags)
