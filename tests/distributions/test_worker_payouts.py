"""A real Celery worker, fed through Redis, publishes a root and pays everyone who asked, on anvil."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from swap.chain.tasks import track_transactions_task
from swap.distributions.models import PayoutBatch, RoundStatus
from swap.distributions.services import payouts
from swap.distributions.services.rounds import create_round, freeze_round
from swap.distributions.tasks import publish_round_task
from tests.distributions.conftest import SESH
from tests.distributions.l2 import SERVICE_KEY
from tests.distributions.test_distribution_flow import ALICE, BOB, CAROL, balance
from tests.test_celery_worker import database_url_of_the_test_database

pytestmark = [
    pytest.mark.postgres, pytest.mark.redis, pytest.mark.chain, pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]
REPO = Path(__file__).resolve().parents[2]


def test_a_worker_publishes_the_root_and_pays_every_requester_exactly(deployed, entitlements, l2):
    entitled = {ALICE: 2 * SESH, BOB: 3 * SESH + 1, CAROL: 4}
    entitlements.set(bonus={ALICE: 2 * SESH, BOB: 3 * SESH}, claims={BOB: 1, CAROL: 4})
    round_ = freeze_round(create_round(cutoff=timezone.now(), actor="test").pk, actor="test")
    for account in entitled:
        payouts.request_payout(account, requested_by="test")

    queue = f"test-{uuid.uuid4().hex}"
    env = {
        **os.environ, "DATABASE_URL": database_url_of_the_test_database(), "L2_RPC_URL": l2.node.url,
        "L2_SIGNER_KEY": SERVICE_KEY, "L2_TOKEN_ADDRESS": settings.L2_TOKEN_ADDRESS,
        "L2_DISTRIBUTOR_ADDRESS": settings.L2_DISTRIBUTOR_ADDRESS,
        "L2_DISTRIBUTOR_DEPLOY_BLOCK": str(settings.L2_DISTRIBUTOR_DEPLOY_BLOCK), "L2_CONFIRMATIONS": "3",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "swap", "worker", "-Q", f"{queue},celery", "-n", f"{queue}@localhost",
         "--pool", "solo", "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        publish_round_task.apply_async(args=[round_.pk], queue=queue)
        deadline = time.monotonic() + 300  # generous: the machine's two cores are shared
        def done():
            paid = all(balance(account) == amount for account, amount in entitled.items())
            return paid and PayoutBatch.objects.filter(status=PayoutBatch.Status.CONFIRMED).exists()

        while not done():
            assert worker.poll() is None, worker.stdout.read().decode() if worker.stdout else "worker died"
            if time.monotonic() > deadline:
                worker.terminate()
                output = worker.stdout.read().decode() if worker.stdout else ""
                pytest.fail(f"not paid within 300 s; worker output:\n{output[-3000:]}")
            track_transactions_task.apply_async(queue=queue)  # what beat would send
            l2.mine()
            time.sleep(1)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        if worker.stdout:
            worker.stdout.close()
    round_.refresh_from_db()
    assert round_.status == RoundStatus.CONFIRMED
    assert PayoutBatch.objects.filter(status=PayoutBatch.Status.CONFIRMED).count() == 1
    assert balance(settings.L2_DISTRIBUTOR_ADDRESS) == 1_000 * SESH - sum(entitled.values())
