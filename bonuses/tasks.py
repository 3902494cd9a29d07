"""Celery tasks of the Service Node Bonus: thin wrappers over `bonuses.services`.

`capture_snapshot_task` runs every 60 s from beat (`CELERY_BEAT_SCHEDULE`). A cache lock keeps a
second copy from polling while one runs (a slow oxend, a redelivered message); it only saves
work: two runs at once would still store each height once (unique height, and ingestion takes a
database lock), which is why the lock may expire safely.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from celery import shared_task

from bonuses.services.capture import CaptureNotConfigured, capture_snapshot
from swap.locks import single_flight, single_flight_key
from swap.oxend_errors import OxendTransientError

logger = logging.getLogger(__name__)

CAPTURE_LOCK_NAME = "bonuses:capture-snapshot"
CAPTURE_LOCK_KEY = single_flight_key(CAPTURE_LOCK_NAME)
# Longer than a slow run (a full node list read may take up to the client's 120 s read timeout).
CAPTURE_LOCK_SECONDS = 300


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OxendTransientError,),
    retry_backoff=5,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=3,
)
def capture_snapshot_task(self) -> dict[str, Any] | None:  # type: ignore[no-untyped-def]
    """Poll oxend once and store a new snapshot if the chain moved; skip if another run holds the lock."""
    with single_flight(CAPTURE_LOCK_NAME, timeout=CAPTURE_LOCK_SECONDS) as acquired:
        if not acquired:
            logger.info("snapshot capture already running; skipped")
            return None
        try:
            outcome = capture_snapshot(actor=f"task:{self.name}")
        except CaptureNotConfigured as error:
            logger.info("%s", error)
            return None
    return asdict(outcome)
