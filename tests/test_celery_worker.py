"""A real Celery worker process takes a task from Redis and writes its effect to PostgreSQL."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from swap.models import AuditEvent
from swap.tasks import record_heartbeat_task

REPO_ROOT = Path(__file__).resolve().parents[1]


def database_url_of_the_test_database() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def stop_worker(worker: subprocess.Popen) -> None:
    """SIGTERM (a warm shutdown), then SIGKILL if it is still running 20 s later."""
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_process_runs_a_task_sent_through_redis_and_writes_to_postgres():
    queue = f"test-{uuid.uuid4().hex}"
    worker_name = f"{queue}@localhost"
    env = {**os.environ, "DATABASE_URL": database_url_of_the_test_database()}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "swap", "worker", "-Q", queue, "-n", worker_name,
         "--pool", "solo", "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING"],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        token = uuid.uuid4().hex
        record_heartbeat_task.apply_async(args=[token], queue=queue)
        deadline = time.monotonic() + 60
        while not AuditEvent.objects.filter(tag="system:worker:heartbeat", subject=token).exists():
            assert worker.poll() is None, worker.stdout.read().decode() if worker.stdout else "worker died"
            assert time.monotonic() < deadline, "the worker did not run the task within 60 s"
            time.sleep(0.2)
        event = AuditEvent.objects.get(subject=token)
        assert event.actor == f"task:{worker_name}"
    finally:
        stop_worker(worker)
