"""Celery tasks of the shared core: thin wrappers that call one service each."""

from celery import shared_task

from swap.health import record_worker_heartbeat


@shared_task(bind=True, acks_late=True)
def record_heartbeat_task(self, token: str) -> None:  # type: ignore[no-untyped-def]
    """Write a heartbeat event; see `swap.health.record_worker_heartbeat`."""
    record_worker_heartbeat(token, worker=self.request.hostname or "in-process")
