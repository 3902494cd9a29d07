"""The watchdog as a separate process: a Celery worker consuming only the `watchdog` queue, with its own
node setting and its own key and no publisher key, vetoes a root proposed with the stolen publisher key.

The pass is sent as beat sends it (`watch_distributor_task.delay()`, no queue named): only the
route in `CELERY_TASK_ROUTES` can bring it to this worker, which listens to nothing else.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from watchdog_world import FUNDED, THIEF, balance, propose_tree_with_stolen_key, state, tree

from swap.chain import contracts
from swap.models import AuditEvent
from swap.watchdog.models import ProposalCheck, Verdict
from swap.watchdog.tasks import watch_distributor_task
from tests.distributions.conftest import SESH
from tests.distributions.test_distribution_flow import ALICE, frozen_round
from tests.test_celery_worker import database_url_of_the_test_database, stop_worker

pytestmark = [
    pytest.mark.postgres, pytest.mark.redis, pytest.mark.chain, pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]
REPO = Path(__file__).resolve().parents[2]


def test_a_watchdog_worker_on_its_own_queue_vetoes_the_stolen_keys_root(deployed, entitlements, l2):
    entitlements.set(bonus={ALICE: 10 * SESH})
    frozen_round()
    stolen = tree({THIEF: FUNDED})
    propose_tree_with_stolen_key(stolen)

    name = f"watchdog-{uuid.uuid4().hex[:12]}@localhost"
    env = {
        **os.environ, "DATABASE_URL": database_url_of_the_test_database(),
        "L2_RPC_URL": "", "L2_SIGNER_KEY": "", "L2_SIGNER_KEY_FILE": "",  # the watchdog holds nothing of the worker's
        "WATCHDOG_RPC_URL": l2.node.url, "WATCHDOG_SIGNER_KEY": settings.WATCHDOG_SIGNER_KEY,
        "L2_DISTRIBUTOR_ADDRESS": settings.L2_DISTRIBUTOR_ADDRESS,
        "L2_DISTRIBUTOR_DEPLOY_BLOCK": str(settings.L2_DISTRIBUTOR_DEPLOY_BLOCK), "L2_CONFIRMATIONS": "3",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "swap", "worker", "-Q", "watchdog", "-n", name,
         "--pool", "solo", "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        watch_distributor_task.delay()
        deadline = time.monotonic() + 180  # generous: the machine's two cores are shared
        while not contracts.is_vetoed(l2.client, deployed.distributor, stolen.root_hex):
            assert worker.poll() is None, worker.stdout.read().decode() if worker.stdout else "worker died"
            if time.monotonic() > deadline:
                worker.terminate()
                output = worker.stdout.read().decode() if worker.stdout else ""
                pytest.fail(f"not vetoed within 180 s; worker output:\n{output[-3000:]}")
            time.sleep(0.5)
        while not AuditEvent.objects.filter(tag="watchdog:mismatch_answered").exists():
            assert time.monotonic() < deadline, "the veto was sent but its answer never recorded"
            time.sleep(0.2)
    finally:
        stop_worker(worker)
        if worker.stdout:
            worker.stdout.close()
    check = ProposalCheck.objects.get(root=stolen.root_hex)
    assert check.verdict == Verdict.MISMATCH and check.vetoed_tx_hash
    assert AuditEvent.objects.get(tag="watchdog:root_vetoed").actor == f"task:{name}"
    assert state().paused and not state().has_pending
    assert balance(deployed.distributor) == FUNDED
