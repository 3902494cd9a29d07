"""A representative run logs no key, no secret and no signature, whatever the log level.

Everything is logged at DEBUG, SQL with its parameters included (where a registration's
signature would be), through the configured handler with its filters and the JSON formatter:
a registration with a real signature (and a refused one), the admin login (a wrong password,
then the right one), and a round paid out with its payout task run by a worker: in this process
on the embedded default, by a real Celery worker process (its own output captured) when a
broker is configured. Then the captured text is searched for the signer key, the watchdog key,
the Safe owners' keys, SECRET_KEY, the admin password and the signatures.
"""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone

from swap import logs
from swap.chain.local import safe_owner_keys
from swap.chain.tasks import track_transactions_task
from swap.distributions.models import PayoutBatch, RoundStatus
from swap.distributions.services import payouts
from swap.distributions.services.publishing import advance_rounds, propose_round
from swap.distributions.services.rounds import create_round, freeze_round
from swap.distributions.tasks import run_payouts_task
from tests.distributions.conftest import SESH
from tests.distributions.l2 import ACTIVATION_DELAY, SERVICE_KEY, WATCHDOG_KEY
from tests.registrations.wallets import Wallet, new_eth_address
from tests.test_celery_worker import database_url_of_the_test_database, stop_worker

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple 42"  # noqa: S105 - the test's own admin password


@pytest.fixture
def everything_logged() -> Iterator[io.StringIO]:
    """Every logger at DEBUG into the configured console handler (filters kept), as JSON, into a buffer."""
    buffer = io.StringIO()
    root = logging.getLogger()
    [handler] = [h for h in root.handlers if getattr(h, "name", "") == "console"]
    saved = (handler.stream, handler.formatter, handler.level, root.level, connection.force_debug_cursor)
    quiet = {name: logging.getLogger(name).level for name in ("django", "django.db.backends", "web3", "urllib3")}
    handler.setStream(buffer)
    handler.setFormatter(logs.JsonFormatter())
    handler.setLevel(logging.DEBUG)
    root.setLevel(logging.DEBUG)
    for name in quiet:
        logging.getLogger(name).setLevel(logging.DEBUG)
    connection.force_debug_cursor = True  # SQL and its parameters are logged
    try:
        yield buffer
    finally:
        handler.setStream(saved[0])
        handler.setFormatter(saved[1])
        handler.setLevel(saved[2])
        root.setLevel(saved[3])
        connection.force_debug_cursor = saved[4]
        for name, level in quiet.items():
            logging.getLogger(name).setLevel(level)


def register(client, wallet: Wallet, eth: str, signature: str) -> int:
    body = {"oxen_address": wallet.address, "eth_address": eth, "signature": signature}
    return client.post("/api/v1/registrations/", json.dumps(body), content_type="application/json").status_code


def pay_on_a_worker_process(round_id: int, l2, output_file: Path) -> str:
    """Run the payout task and the tracker on a real worker process; return everything it printed.

    The output goes to a file, not a pipe: at DEBUG the worker writes far more than a pipe buffers.
    """
    queue = f"test-{uuid.uuid4().hex}"
    env = {
        **os.environ, "DATABASE_URL": database_url_of_the_test_database(), "LOG_FORMAT": "json", "LOG_LEVEL": "DEBUG",
        "L2_RPC_URL": settings.L2_RPC_URL, "L2_CHAIN_ID": str(settings.L2_CHAIN_ID), "L2_SIGNER_KEY": SERVICE_KEY,
        "L2_CONFIRMATIONS": str(settings.L2_CONFIRMATIONS), "L2_STUCK_SECONDS": "3600",
        "L2_DISTRIBUTOR_ADDRESS": settings.L2_DISTRIBUTOR_ADDRESS, "L2_TOKEN_ADDRESS": settings.L2_TOKEN_ADDRESS,
        "L2_DISTRIBUTOR_DEPLOY_BLOCK": str(settings.L2_DISTRIBUTOR_DEPLOY_BLOCK),
        "L2_ACTIVATION_DELAY_SECONDS": str(ACTIVATION_DELAY),
    }
    sink = output_file.open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "swap", "worker", "-Q", queue, "-n", f"{queue}@localhost",
         "--pool", "solo", "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "DEBUG"],
        cwd=REPO, env=env, stdout=sink, stderr=subprocess.STDOUT,
    )
    confirmed = False
    try:
        run_payouts_task.apply_async(args=[round_id], queue=queue)
        deadline = time.monotonic() + 90
        while worker.poll() is None and time.monotonic() < deadline:
            if PayoutBatch.objects.filter(status=PayoutBatch.Status.CONFIRMED).exists():
                confirmed = True
                break
            track_transactions_task.apply_async(queue=queue)
            time.sleep(0.5)
            l2.mine()
    finally:
        stop_worker(worker)
        sink.close()
    output = output_file.read_text()
    assert confirmed, f"the worker did not confirm the payout within 90 s:\n{output[-3000:]}"
    return output


@pytest.mark.chain
@pytest.mark.django_db(transaction=True)
def test_a_full_run_logs_no_key_no_secret_and_no_signature(client, deployed, entitlements, l2, everything_logged,
                                                            tmp_path):
    # A registration with a real signature, and one refused (a real signature by another wallet).
    wallet, eth = Wallet(), new_eth_address()
    signature, foreign = wallet.sign(eth), Wallet().sign(eth)
    assert register(client, wallet, eth, signature) == 201
    assert register(client, Wallet(), new_eth_address(), foreign) == 400

    # The admin login: a wrong password, then the right one.
    User.objects.create_superuser("root", password=PASSWORD)
    assert client.post("/admin/login/", {"username": "root", "password": PASSWORD + "x"}).status_code == 200
    assert client.post("/admin/login/", {"username": "root", "password": PASSWORD}).status_code == 302

    # A round paid out to the registered account, its payout task on a worker.
    entitlements.set(bonus={eth: 5 * SESH})
    round_ = freeze_round(create_round(cutoff=timezone.now(), actor="test").pk, actor="test")
    propose_round(round_.pk, actor="test")
    l2.settle()
    l2.advance_time(ACTIVATION_DELAY)
    advance_rounds(actor="test")
    l2.settle()
    round_.refresh_from_db()
    assert round_.status == RoundStatus.ACTIVE
    payouts.request_payout(eth, requested_by="test")
    worker_output = ""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        run_payouts_task.delay(round_.pk)
        l2.settle()
    else:
        worker_output = pay_on_a_worker_process(round_.pk, l2, tmp_path / "worker.log")
    assert PayoutBatch.objects.get().status == PayoutBatch.Status.CONFIRMED

    captured = everything_logged.getvalue() + worker_output
    assert captured.count("\n") > 50, "the run logged almost nothing: the capture is not working"
    assert "registrations_registration" in captured  # SQL with its parameters was logged, and masked
    secrets = {
        "the signer key": SERVICE_KEY.removeprefix("0x"),
        "the watchdog key": WATCHDOG_KEY.removeprefix("0x"),
        "SECRET_KEY": settings.SECRET_KEY,
        "the admin password": PASSWORD,
        "the registration's signature": signature,
        "the refused registration's signature": foreign,
        **{f"Safe owner key {n}": key.hex() for n, key in enumerate(safe_owner_keys())},
    }
    for what, secret in secrets.items():
        assert secret.lower() not in captured.lower(), f"{what} appears in the logs"
    if worker_output:
        lines = [line for line in worker_output.splitlines() if line.startswith("{")]
        assert lines and all(json.loads(line)["level"] for line in lines)
        assert any(json.loads(line).get("task") == "swap.distributions.tasks.run_payouts_task" for line in lines)
