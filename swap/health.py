"""Liveness of the task pipeline: a worker proves it can reach the database by writing an event."""

from django.db import transaction

from swap.audit import record_event
from swap.models import AuditEvent


def record_worker_heartbeat(token: str, *, worker: str) -> AuditEvent:
    """Record that `worker` ran the heartbeat task carrying `token`.

    Operators enqueue it to check that broker, worker and database are all connected; the
    worker-process test uses it for the same reason.
    """
    with transaction.atomic():
        return record_event("system:worker:heartbeat", actor=f"task:{worker}", subject=token)
