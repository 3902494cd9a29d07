"""Celery tasks of distributions: thin, ids as arguments, idempotent by compare-and-swap.

Each calls one service. Only transient chain errors are retried (with backoff); a refusal (not
enough SESH, a round out of order) is logged and left for an operator, never retried blindly.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from swap.chain.errors import TransientChainError
from swap.distributions.services import claim_index, payouts, rounds
from swap.locks import single_flight

RETRY = {"autoretry_for": (TransientChainError,), "retry_backoff": 5, "retry_backoff_max": 300, "max_retries": 10}


def _actor(task: Any) -> str:
    return f"task:{task.request.hostname or 'in-process'}"


@shared_task(bind=True, acks_late=True)
def freeze_round_task(self: Any, round_id: int) -> None:
    rounds.freeze_round(round_id, actor=_actor(self))


@shared_task(bind=True, acks_late=True, **RETRY)
def publish_round_task(self: Any, round_id: int) -> None:
    rounds.publish_round(round_id, actor=_actor(self))


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
