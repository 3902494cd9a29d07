"""Alerts a person must see: raised once per finding, shown on the admin home until acknowledged.

- `raise_alert` runs inside the transaction that records the finding, with its audit event, so a
  finding is never stored without its alert nor an alert without its finding.
- `check_heartbeat` runs on the *main* workers (beat `check-watchdog-heartbeat`): a dead watchdog
  cannot report its own death. One alert per stale episode: the subject names the last heartbeat
  seen (or `never`), so checking again while it stays stale raises nothing new, and a watchdog
  that comes back and dies again raises a new one.
- `acknowledge_alerts` is the admin action's service: a compare-and-swap from open, one audit
  event per alert acknowledged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from swap.audit import record_event
from swap.watchdog.models import Alert, AlertKind, WatchCursor


def raise_alert(kind: str, *, subject: str, message: str, actor: str, data: dict[str, Any] | None = None) -> Alert:
    """Open an alert (inside the caller's transaction) unless one of this kind and subject exists."""
    alert, created = Alert.objects.get_or_create(
        kind=kind, subject=subject, defaults={"message": message[:500], "data": data or {}},
    )
    if created:
        record_event("watchdog:alert_raised", actor=actor, subject=f"alert:{alert.pk}",
                     data={"kind": kind, "subject": subject, "message": alert.message})
    return alert


def acknowledge_alerts(alert_ids: list[int], *, by: str, actor: str) -> int:
    """Mark open alerts acknowledged by `by` (a username); return how many were still open."""
    acknowledged = 0
    with transaction.atomic():
        for alert in Alert.objects.select_for_update().filter(pk__in=alert_ids, acknowledged_at__isnull=True):
            changed = Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
                acknowledged_at=timezone.now(), acknowledged_by=by
            )
            if changed:
                acknowledged += 1
                record_event("watchdog:alert_acknowledged", actor=actor, subject=f"alert:{alert.pk}",
                             data={"kind": alert.kind, "subject": alert.subject})
    return acknowledged


def _cursor() -> WatchCursor | None:
    if not settings.L2_DISTRIBUTOR_ADDRESS:
        return None
    return WatchCursor.objects.filter(
        chain_id=settings.L2_CHAIN_ID, distributor=settings.L2_DISTRIBUTOR_ADDRESS
    ).first()


def check_heartbeat(*, actor: str, now: datetime | None = None) -> Alert | None:
    """Raise the stale-heartbeat alert when the watchdog's last completed pass is too old or missing.

    Returns the open alert of this episode (new or not), or None when the heartbeat is fresh or
    no distributor is configured (nothing to guard).
    """
    if not settings.L2_DISTRIBUTOR_ADDRESS:
        return None
    now = now or timezone.now()
    limit = timedelta(seconds=settings.WATCHDOG_HEARTBEAT_MAX_AGE_SECONDS)
    cursor = _cursor()
    last = cursor.last_pass_at if cursor else None
    if last is not None and now - last <= limit:
        return None
    seen = last.isoformat() if last else "never"
    if last is None:
        message = "the watchdog has never completed a pass over the distributor: nothing vetoes a bad root"
    else:
        age = int((now - last).total_seconds())
        message = (f"the watchdog's last completed pass was {age} s ago (limit "
                   f"{settings.WATCHDOG_HEARTBEAT_MAX_AGE_SECONDS} s): nothing vetoes a bad root while it is down")
    with transaction.atomic():
        return raise_alert(
            AlertKind.HEARTBEAT_STALE, subject=f"heartbeat:{settings.L2_DISTRIBUTOR_ADDRESS}:{seen}", message=message,
            actor=actor, data={"last_pass_at": seen, "checked_at": now.isoformat(),
                               "max_age_seconds": settings.WATCHDOG_HEARTBEAT_MAX_AGE_SECONDS},
        )


@dataclass(frozen=True)
class WatchdogStatus:
    """What the admin home shows: open alerts first, then the heartbeat."""

    open_alerts: list[Alert]
    last_pass_at: datetime | None
    last_pass_head: int | None
    age_seconds: int | None
    stale: bool
    configured: bool


def watchdog_status(*, now: datetime | None = None, limit: int = 20) -> WatchdogStatus:
    """Read-only summary for the admin home page (database only)."""
    now = now or timezone.now()
    alerts = list(Alert.objects.filter(acknowledged_at__isnull=True).order_by("-raised_at", "-id")[:limit])
    cursor = _cursor()
    last = cursor.last_pass_at if cursor else None
    age = int((now - last).total_seconds()) if last else None
    stale = age is None or age > settings.WATCHDOG_HEARTBEAT_MAX_AGE_SECONDS
    return WatchdogStatus(
        open_alerts=alerts, last_pass_at=last, last_pass_head=cursor.last_pass_head if cursor else None,
        age_seconds=age, stale=stale, configured=bool(settings.L2_DISTRIBUTOR_ADDRESS),
    )
