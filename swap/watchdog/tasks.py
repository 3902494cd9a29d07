"""Celery tasks of the watchdog: its pass on a queue of its own, the heartbeat check on the main workers.

`watch_distributor_task` is routed to the `watchdog` queue (`CELERY_TASK_ROUTES`), which only the
watchdog's worker consumes (`celery -A swap worker -Q watchdog`, with the watchdog's key and node
in its environment and no publisher key), so a busy or compromised main worker can neither delay
nor run a veto. It is not retried: beat sends the next pass within `WATCHDOG_POLL_SECONDS`, and a
pass that fails leaves the heartbeat old, which `check_heartbeat_task` turns into an alert from
the main workers (a dead watchdog cannot report itself).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

from swap.chain.errors import ChainError
from swap.chain.signer import SignerKeyError
from swap.locks import single_flight
from swap.watchdog.exceptions import WatchdogError, WatchdogNotConfiguredError
from swap.watchdog.services.alerts import check_heartbeat
from swap.watchdog.services.passes import watch_distributor

logger = logging.getLogger(__name__)

PASS_LOCK_SECONDS = 600


def _actor(task: Any) -> str:
    return f"task:{task.request.hostname or 'in-process'}"


@shared_task(bind=True, acks_late=True)
def watch_distributor_task(self: Any) -> None:
    """One watchdog pass (single-flight: two at once would only send the same veto twice)."""
    with single_flight("watch_distributor", timeout=PASS_LOCK_SECONDS) as acquired:
        if not acquired:
            return
        try:
            report = watch_distributor(actor=_actor(self))
        except WatchdogNotConfiguredError as error:
            logger.info("watchdog: %s", error)  # nothing deployed yet: nothing to guard (no heartbeat alert either)
            return
        except (WatchdogError, ChainError, SignerKeyError) as error:
            logger.error("watchdog pass failed: %s", error)
            raise
        logger.info("watchdog pass: %s", report.summary())


@shared_task(bind=True, acks_late=True)
def check_heartbeat_task(self: Any) -> None:
    """Raise the stale-heartbeat alert when the watchdog has not completed a pass in time."""
    alert = check_heartbeat(actor=_actor(self))
    if alert is not None and alert.is_open:
        logger.critical("watchdog alert: %s", alert.message)
