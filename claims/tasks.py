"""Celery tasks of Oxen Coin Claims: thin wrappers over `claims.services`.

`poll_deposits_task` runs every 60 s from beat. A cache lock keeps a second copy from polling
while one runs; it only saves work. Correctness never depends on it: polls also take a database
advisory lock, and crediting locks the ledger row and is guarded by unique and check constraints
(`claims.services.locks`). Wallet outages are transient: retried with backoff, and the next beat
polls again anyway; nothing is written by a poll that could not read the wallet.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from celery import shared_task

from claims.exceptions import ClaimsNotConfigured, WalletRpcTransientError
from claims.services.supply import ExcludedHolding, fill_from_oxend
from claims.services.watcher import poll_deposits
from swap.locks import single_flight, single_flight_key
from swap.oxend_errors import OxendTransientError

logger = logging.getLogger(__name__)

POLL_LOCK_NAME = "claims:poll-deposits"
POLL_LOCK_KEY = single_flight_key(POLL_LOCK_NAME)
# Longer than a slow poll (the wallet's read timeout is 60 s per call, three calls).
POLL_LOCK_SECONDS = 300


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(WalletRpcTransientError,),
    retry_backoff=5,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=3,
)
def poll_deposits_task(self) -> dict[str, Any] | None:  # type: ignore[no-untyped-def]
    """Poll the claims wallet once and credit confirmed deposits; skip if another run holds the lock."""
    with single_flight(POLL_LOCK_NAME, timeout=POLL_LOCK_SECONDS) as acquired:
        if not acquired:
            logger.info("deposit poll already running; skipped")
            return None
        try:
            outcome = poll_deposits(actor=f"task:{self.name}")
        except ClaimsNotConfigured as error:
            logger.info("%s", error)
            return None
    return asdict(outcome)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OxendTransientError,),
    retry_backoff=10,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def fill_supply_snapshot_task(  # type: ignore[no-untyped-def]
    self, height: int, excluded: list[dict[str, Any]], entered_by: str
) -> int:
    """Fetch emission and burn at `height` from oxend and enter them as the active supply snapshot."""
    holdings = [ExcludedHolding(item["address"], int(item["amount_atomic"]), item.get("note", "")) for item in excluded]
    snapshot = fill_from_oxend(height, holdings, entered_by=entered_by)
    return int(snapshot.pk)
