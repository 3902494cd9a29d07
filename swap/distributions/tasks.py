"""Celery tasks of distributions: thin, ids as arguments, idempotent by compare-and-swap.

Each calls one service. Only transient chain errors are retried (with backoff); a refusal (not
enough SESH, a round out of order) is logged and left for an operator, never retried blindly.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from swap.chain.errors import TransientChainError
from swap.distributions.services import claim_index, payouts, publishing, rounds
from swap.locks import single_flight

RETRY = {"autoretry_for": (TransientChainError,), "retry_backoff": 5, "retry_backoff_max": 300, "max_retries": 10}


def _actor(task: Any) -> str:
    return f"task:{task.request.hostname or 'in-process'}"


@shared_task(bind=True, acks_late=True)
def freeze_round_task(self: Any, round_id: int) -> None:
    rounds.freeze_round(round_id, actor=_actor(self))


@shared_task(bind=True, acks_late=True, **RETRY)
def publish_round_task(self: Any, round_id: int) -> None:
    """Publishing starts with the proposal; `activate_rounds_task` finishes it after the delay."""
    publishing.propose_round(round_id, actor=_actor(self))


@shared_task(bind=True, acks_late=True, **RETRY)
def activate_rounds_task(self: Any) -> None:
    """Activate the pending round once its delay is over, or follow what happened to it on chain."""
    with single_flight("activate_rounds", timeout=300) as acquired:
        if not acquired:
            return
        advanced = publishing.advance_rounds(actor=_actor(self))
    if advanced.activated:  # someone else activated it: the service's own payouts start now
        run_payouts_task.delay()


@shared_task(bind=True, acks_late=True, **RETRY)
def run_payouts_task(self: Any, round_id: int | None = None) -> None:
    with single_flight("run_payouts", timeout=600) as acquired:
        if acquired:
            payouts.run_payouts(round_id, actor=_actor(self))


@shared_task(bind=True, acks_late=True, **RETRY)
def sync_claims_task(self: Any) -> None:
    with single_flight("sync_claims", timeout=600) as acquired:
        if acquired:
            claim_index.sync_claims()
