"""The outbox's tasks: a worker refuses a node on another chain, the tracker is single-flight."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import transaction

from swap.chain import outbox
from swap.chain.client import reset_clients
from swap.chain.models import L2Transaction
from swap.chain.tasks import refuse_wrong_chain, track_transactions_task
from swap.core.eth_address import normalize_eth_address
from swap.locks import single_flight
from tests.distributions.l2 import SERVICE_KEY, harness

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def l2(settings, anvil):
    yield from harness(settings, anvil)


def test_without_a_chain_the_tracker_task_does_nothing(settings, caplog):
    settings.L2_RPC_URL = None
    with caplog.at_level(logging.INFO):
        track_transactions_task.apply()
    assert "nothing to track" in caplog.text


@pytest.mark.chain
@pytest.mark.django_db
def test_the_tracker_task_is_single_flight(l2, transfers_to):
    transfers_to.add(normalize_eth_address(l2.client.get_block(0)["miner"]))
    with transaction.atomic():
        tx = outbox.enqueue(purpose="other", subject="test", to=l2.client.get_block(0)["miner"], data="0x",
                            actor="test", gas_limit=21000)
    with single_flight("track_transactions", timeout=60) as acquired:
        assert acquired
        track_transactions_task.apply()  # another run holds the lock: this one returns at once
        assert L2Transaction.objects.get(pk=tx.pk).status == L2Transaction.Status.QUEUED
    track_transactions_task.apply()
    assert L2Transaction.objects.get(pk=tx.pk).status != L2Transaction.Status.QUEUED


@pytest.mark.chain
def test_a_worker_refuses_to_start_when_the_node_serves_another_chain(settings, anvil):
    settings.L2_RPC_URL, settings.L2_CHAIN_ID = anvil.url, 42161
    reset_clients()
    try:
        with pytest.raises(SystemExit, match="refusing to start.*42161"):
            refuse_wrong_chain()
        settings.L2_CHAIN_ID = anvil.chain_id
        refuse_wrong_chain()  # the right chain: starts
    finally:
        reset_clients()


def test_an_unreachable_node_at_start_only_warns(settings, caplog):
    settings.L2_RPC_URL = "http://127.0.0.1:9"
    reset_clients()
    with caplog.at_level(logging.WARNING):
        refuse_wrong_chain()
    assert "not reachable" in caplog.text


@pytest.mark.chain
@pytest.mark.slow
def test_a_real_worker_process_exits_on_a_chain_id_mismatch(anvil):
    env = {**os.environ, "L2_RPC_URL": anvil.url, "L2_CHAIN_ID": "42161", "L2_SIGNER_KEY": SERVICE_KEY,
           "CELERY_BROKER_URL": "memory://"}
    worker = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "swap", "worker", "--pool", "solo", "--without-gossip",
         "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )
    assert worker.returncode != 0
    assert "refusing to start" in worker.stdout + worker.stderr
