"""Celery tasks of the outbox, and the worker's chain-id check at start.

`track_transactions_task` runs on the beat schedule (`CELERY_BEAT_SCHEDULE`) and after anything
enqueues a transaction; it is single-flight, idempotent, and the recovery path after any crash.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from celery.signals import worker_init
from django.conf import settings

from swap.chain.client import ChainClient, get_client
from swap.chain.errors import ChainError, ChainIdMismatchError, ChainNotConfiguredError, TransientChainError
from swap.chain.key_roles import configured_distributor, key_role_problems
from swap.chain.program_end import ProgramEndError, sync_program_end
from swap.chain.tracking import track_transactions
from swap.locks import single_flight

logger = logging.getLogger(__name__)

TRACK_LOCK_SECONDS = 300


@shared_task(
    bind=True, acks_late=True, autoretry_for=(TransientChainError,), retry_backoff=5, retry_backoff_max=300,
    max_retries=10,
)
def track_transactions_task(self: Any) -> None:
    """One tracker pass over the outbox (see `swap.chain.tracking`)."""
    with single_flight("track_transactions", timeout=TRACK_LOCK_SECONDS) as acquired:
        if not acquired:
            return
        try:
            track_transactions(actor=f"task:{self.request.hostname or 'in-process'}")
        except ChainNotConfiguredError:
            logger.info("no L2 configured (L2_RPC_URL unset): nothing to track")


@shared_task(bind=True, acks_late=True, autoretry_for=(TransientChainError,), retry_backoff=5, max_retries=3)
def sync_program_end_task(self: Any) -> str:
    """Follow the distributor's end: record a new or moved `endTime`, close claims once its time passed."""
    with single_flight("sync_program_end", timeout=TRACK_LOCK_SECONDS) as acquired:
        if not acquired:
            return "busy"
        try:
            return sync_program_end(get_client(), actor=f"task:{self.request.hostname or 'in-process'}")
        except (ChainNotConfiguredError, ProgramEndError) as error:
            logger.info("program end not followed: %s", error)
            return "not configured"


@worker_init.connect(dispatch_uid="chain.refuse_wrong_chain")
def refuse_wrong_chain(**kwargs: Any) -> None:
    """Stop the worker before it takes any task if the node serves another chain than L2_CHAIN_ID.

    Signal receivers' exceptions are logged and swallowed by Celery; SystemExit is not, so the
    worker exits. An unreachable node only warns: the tracker re-checks before every pass.
    """
    if not settings.L2_RPC_URL:
        return
    try:
        client = get_client()
    except ChainIdMismatchError as error:
        logger.critical("refusing to start: %s", error)
        raise SystemExit(f"refusing to start: {error}") from None
    except TransientChainError as error:
        logger.warning("L2 node not reachable at worker start (%s); the tracker checks again each pass", error)
        return
    refuse_extra_roles(client)


def refuse_extra_roles(client: ChainClient) -> None:
    """Stop the worker if its key holds any role but `PUBLISHER_ROLE` (or the watchdog's more than its own)."""
    distributor = configured_distributor()
    if distributor is None:
        return
    try:
        problems = key_role_problems(client, distributor)
    except ChainError as error:
        logger.warning("could not read the keys' roles at worker start (%s)", error)
        return
    if problems:
        logger.critical("refusing to start: %s", "; ".join(problems))
        raise SystemExit(f"refusing to start: {'; '.join(problems)}")
