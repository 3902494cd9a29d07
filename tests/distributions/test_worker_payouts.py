"""A real Celery worker, fed through Redis, proposes a root, activates it after the delay and pays
everyone who asked, on anvil; a worker killed in between loses nothing."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from swap.chain.models import L2Transaction
from swap.chain.tasks import track_transactions_task
from swap.distributions.models import PayoutBatch, RoundStatus
from swap.distributions.services import payouts
from swap.distributions.services.rounds import create_round, freeze_round
from swap.distributions.tasks import activate_rounds_task, publish_round_task
from tests.distributions.conftest import SESH
from tests.distributions.l2 import ACTIVATION_DELAY, SERVICE_KEY
from tests.distributions.test_distribution_flow import ALICE, BOB, CAROL, balance
from tests.test_celery_worker import database_url_of_the_test_database

pytestmark = [
    pytest.mark.postgres, pytest.mark.redis, pytest.mark.chain, pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]
REPO = Path(__file__).resolve().parents[2]


class Worker:
    """A real Celery worker process on a queue of its own, as production runs them."""

    def __init__(self, l2, queue):
        self.queue = queue
        env = {
            **os.environ, "DATABASE_URL": database_url_of_the_test_database(), "L2_RPC_URL": l2.node.url,
            "L2_SIGNER_KEY": SERVICE_KEY, "L2_TOKEN_ADDRESS": settings.L2_TOKEN_ADDRESS,
            "L2_DISTRIBUTOR_ADDRESS": settings.L2_DISTRIBUTOR_ADDRESS,
            "L2_DISTRIBUTOR_DEPLOY_BLOCK": str(settings.L2_DISTRIBUTOR_DEPLOY_BLOCK), "L2_CONFIRMATIONS": "3",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "swap", "worker", "-Q", f"{queue},celery,l2", "-n",
             f"{queue}-{uuid.uuid4().hex[:6]}@localhost", "--pool", "solo", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "--loglevel", "WARNING"],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )

    def drive(self, l2, until, *, what, timeout=300.0):
        """Send what beat would (tracker and activation passes) until `until()` holds."""
        deadline = time.monotonic() + timeout  # generous: the machine's two cores are shared
        while not until():
            assert self.process.poll() is None, self.output() or "worker died"
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"{what}: not reached within {timeout:.0f} s; worker output:\n{self.output()[-3000:]}")
            track_transactions_task.apply_async(queue=self.queue)
            activate_rounds_task.apply_async(queue=self.queue)
            l2.mine()
            time.sleep(1)

    def output(self):
        return self.process.stdout.read().decode() if self.process.stdout and self.process.poll() is not None else ""

    def kill(self):
        """A crash: SIGKILL, no shutdown of any kind."""
        self.process.kill()
        self.process.wait()
        self.process.stdout.close()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout and not self.process.stdout.closed:
            self.process.stdout.close()


def round_with_requests(entitlements):
    entitled = {ALICE: 2 * SESH, BOB: 3 * SESH + 1, CAROL: 4}
    entitlements.set(bonus={ALICE: 2 * SESH, BOB: 3 * SESH}, claims={BOB: 1, CAROL: 4})
    round_ = freeze_round(create_round(cutoff=timezone.now(), actor="test").pk, actor="test")
    for account in entitled:
        payouts.request_payout(account, requested_by="test")
    return round_, entitled


def status_of(round_):
    round_.refresh_from_db()
    return round_.status


def paid(entitled):
    everyone = all(balance(account) == amount for account, amount in entitled.items())
    return everyone and PayoutBatch.objects.filter(status=PayoutBatch.Status.CONFIRMED).exists()


def assert_paid_once(entitled):
    assert PayoutBatch.objects.filter(status=PayoutBatch.Status.CONFIRMED).count() == 1
    assert balance(settings.L2_DISTRIBUTOR_ADDRESS) == 1_000 * SESH - sum(entitled.values())


def test_a_worker_proposes_activates_after_the_delay_and_pays_every_requester_exactly(deployed, entitlements, l2):
    round_, entitled = round_with_requests(entitlements)
    worker = Worker(l2, f"test-{uuid.uuid4().hex}")
    try:
        publish_round_task.apply_async(args=[round_.pk], queue=worker.queue)
        worker.drive(l2, lambda: status_of(round_) == RoundStatus.PENDING, what="proposal")
        time.sleep(2)
        assert status_of(round_) == RoundStatus.PENDING, "nothing activates before the delay"
        l2.advance_time(ACTIVATION_DELAY)
        worker.drive(l2, lambda: paid(entitled), what="activation and payouts")
    finally:
        worker.stop()
    assert status_of(round_) == RoundStatus.ACTIVE
    assert_paid_once(entitled)


def test_a_worker_killed_between_proposal_and_activation_loses_nothing(deployed, entitlements, l2):
    """Fault (f): the crash comes after the proposal is final and before the activation."""
    round_, entitled = round_with_requests(entitlements)
    queue = f"test-{uuid.uuid4().hex}"
    first = Worker(l2, queue)
    try:
        publish_round_task.apply_async(args=[round_.pk], queue=queue)
        first.drive(l2, lambda: status_of(round_) == RoundStatus.PENDING, what="proposal")
    finally:
        first.kill()
    l2.advance_time(ACTIVATION_DELAY)
    restarted = Worker(l2, queue)
    try:
        restarted.drive(l2, lambda: paid(entitled), what="activation and payouts after the restart")
    finally:
        restarted.stop()
    assert status_of(round_) == RoundStatus.ACTIVE
    assert list(L2Transaction.objects.values_list("purpose", flat=True).order_by("id")) == [
        "propose_root", "activate_root", "payout_batch"
    ], "one proposal, one activation, one batch: nothing sent twice, nothing lost"
    assert_paid_once(entitled)
