"""`manage.py watch_distributor`: one pass, refusals in one line, and a loop that stops cleanly on a signal."""

import os
import signal
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from watchdog_world import THIEF, propose_tree_with_stolen_key, state, tree

from swap.watchdog.models import ProposalCheck, Verdict, WatchCursor
from tests.distributions.conftest import SESH
from tests.distributions.l2 import SERVICE_KEY
from tests.test_celery_worker import database_url_of_the_test_database

pytestmark = [pytest.mark.chain, pytest.mark.django_db]
REPO = Path(__file__).resolve().parents[2]
PRODUCTION_VARIABLES = ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG",
                        "L2_SIGNER_KEY", "L2_SIGNER_KEY_FILE", "WATCHDOG_SIGNER_KEY", "WATCHDOG_SIGNER_KEY_FILE")


def run(*args):
    out = StringIO()
    call_command("watch_distributor", *args, stdout=out)
    return out.getvalue()


def test_one_pass_vetoes_and_prints_what_it_did(deployed, l2):
    stolen = tree({THIEF: 1_000 * SESH})
    propose_tree_with_stolen_key(stolen)
    output = run()
    assert output.count("\n") == 1
    assert "1 proposal(s) judged (1 mismatched)" in output and f"vetoed {stolen.root_hex}" in output
    assert "paused in 0x" in output and state().paused
    assert ProposalCheck.objects.get().verdict == Verdict.MISMATCH


@pytest.mark.parametrize("loop", [[], ["--loop", "--interval", "0.1"]])
def test_without_its_key_the_watchdog_refuses_in_one_line(deployed, settings, loop):
    settings.WATCHDOG_SIGNER_KEY = ""
    with pytest.raises(CommandError) as refused:
        run(*loop)
    assert str(refused.value) == "no watchdog key: set WATCHDOG_SIGNER_KEY or WATCHDOG_SIGNER_KEY_FILE"
    assert not WatchCursor.objects.exists(), "nothing read, nothing written"


def test_a_node_on_another_chain_is_refused_in_one_line(deployed, settings, l2):
    settings.L2_CHAIN_ID = 42161
    with pytest.raises(CommandError) as refused:
        run()
    assert str(refused.value) == (f"the node at ChainClient(host={l2.node.url.split('//')[1]}, chain_id=42161) serves "
                                  "chain id 31337, L2_CHAIN_ID is 42161")


def test_a_key_that_cannot_veto_is_refused(deployed, settings):
    settings.WATCHDOG_SIGNER_KEY = SERVICE_KEY  # the publisher's key: it holds no guardian or pauser role
    refusal = (r"^the watchdog key 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 lacks \['guardian', 'pauser'\] "
               r"on 0x[0-9a-fA-F]{40}: it could not veto or pause$")
    with pytest.raises(CommandError, match=refusal):
        run()


def embedded_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_VARIABLES}
    return {**env, **extra}


def test_the_process_exits_with_status_1_and_one_line_on_stderr(deployed, l2, settings):
    env = embedded_env(WATCHDOG_RPC_URL=l2.node.url, L2_DISTRIBUTOR_ADDRESS=settings.L2_DISTRIBUTOR_ADDRESS)
    done = subprocess.run([sys.executable, "manage.py", "watch_distributor"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr == "CommandError: no watchdog key: set WATCHDOG_SIGNER_KEY or WATCHDOG_SIGNER_KEY_FILE\n"
    assert done.stdout == ""


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_the_loop_passes_until_a_signal_then_stops_cleanly(deployed, l2, settings, stop):
    env = {
        **os.environ, "DATABASE_URL": database_url_of_the_test_database(), "L2_SIGNER_KEY": "",
        "WATCHDOG_RPC_URL": l2.node.url, "WATCHDOG_SIGNER_KEY": settings.WATCHDOG_SIGNER_KEY,
        "L2_DISTRIBUTOR_ADDRESS": settings.L2_DISTRIBUTOR_ADDRESS,
        "L2_DISTRIBUTOR_DEPLOY_BLOCK": str(settings.L2_DISTRIBUTOR_DEPLOY_BLOCK), "L2_CONFIRMATIONS": "3",
    }
    loop = subprocess.Popen([sys.executable, "manage.py", "watch_distributor", "--loop", "--interval", "0.2"],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not WatchCursor.objects.filter(passes__gte=2).exists():
            assert loop.poll() is None, loop.communicate()
            assert time.monotonic() < deadline, "no two passes within 120 s"
            time.sleep(0.2)
        loop.send_signal(stop)
        stdout, stderr = loop.communicate(timeout=60)
    finally:
        if loop.poll() is None:
            loop.kill()
            loop.wait()
    assert loop.returncode == 0, stderr
    lines = stdout.splitlines()
    assert lines[0] == "watching every 0.2 s until SIGTERM or SIGINT" and lines[-1] == "stopped"
    assert stderr == ""
