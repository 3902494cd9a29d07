"""Operator and auditor commands: verify_round against the dump and the chain, freeze, deploy, track."""

import json
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from swap.chain import contracts
from swap.chain.direct import send_and_wait
from swap.chain.signer import load_guardian, load_signer
from swap.distributions.models import RoundDump, RoundStatus
from swap.distributions.services.rounds import create_round, freeze_round
from tests.distributions.conftest import SESH
from tests.distributions.l2 import ACTIVATION_DELAY
from tests.distributions.test_distribution_flow import ALICE, BOB, propose_and_wait, publish_and_activate

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[2]


def frozen_dump(entitlements, tmp_path, bonus):
    entitlements.set(bonus=bonus)
    round_ = freeze_round(create_round(cutoff=timezone.now(), actor="test").pk, actor="test")
    path = tmp_path / f"round-{round_.number}.json"
    path.write_text(RoundDump.objects.get(round=round_).text)
    return round_, path


def run_command(capsys, *args):
    try:
        call_command(*args)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out.strip(), err.strip()


def test_verify_round_recomputes_the_root_of_a_dump(entitlements, tmp_path, capsys):
    round_, path = frozen_dump(entitlements, tmp_path, {ALICE: 5, BOB: 7})
    code, out, err = run_command(capsys, "verify_round", str(path))
    assert (code, err) == (0, "")
    assert out == f"ok: root {round_.root} matches the dump {path.name} (2 accounts, total 12 atomic SESH)"


def test_openzeppelins_own_library_loads_the_dump_and_gets_the_same_root(entitlements, tmp_path):
    round_, path = frozen_dump(entitlements, tmp_path, {ALICE: 5 * SESH, BOB: 7, "0x" + "ab" * 20: 1})
    result = subprocess.run(
        ["node", str(REPO / "contracts/scripts/oz_tree.mjs"), "load", str(path)],
        capture_output=True, text=True, check=True, cwd=REPO, timeout=60,
    )
    assert json.loads(result.stdout)["root"] == round_.root


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (lambda d: d["values"][0]["value"].__setitem__(1, "6"), "hash to"),
        (lambda d: d.__setitem__("format", "custom"), "format"),
        (lambda d: d["tree"].__setitem__(0, "0x" + "00" * 32), "root"),
    ],
)
def test_verify_round_names_what_is_wrong_with_a_tampered_dump(entitlements, tmp_path, capsys, tamper, reason):
    _, path = frozen_dump(entitlements, tmp_path, {ALICE: 5, BOB: 7})
    dump = json.loads(path.read_text())
    tamper(dump)
    path.write_text(json.dumps(dump))
    code, out, err = run_command(capsys, "verify_round", str(path))
    assert code == 1 and out == ""
    assert err.startswith("error: ") and reason in err and "\n" not in err


@pytest.mark.chain
def test_verify_round_checks_the_root_on_chain(deployed, entitlements, l2, tmp_path, capsys):
    round_, path = frozen_dump(entitlements, tmp_path, {ALICE: 5, BOB: 7})
    publish_and_activate(l2, round_)
    verify = ("verify_round", str(path), "--rpc", l2.node.url, "--distributor", deployed.distributor)
    code, out, err = run_command(capsys, *verify)
    assert (code, err) == (0, "")
    assert out.startswith(f"ok: root {round_.root} matches merkleRoot of {deployed.distributor} on chain id 31337")
    assert out.endswith("published as round 1 in block " + str(round_.activate_tx.block_number) + ")")

    entitlements.set(bonus={ALICE: 6, BOB: 7})
    second = freeze_round(create_round(cutoff=timezone.now(), actor="test").pk, actor="test")
    publish_and_activate(l2, second)  # the chain moved on: the first round is still verifiable
    code, out, err = run_command(capsys, *verify)
    assert (code, err) == (0, "")
    where = f"{deployed.distributor} on chain id 31337"
    assert out.startswith(f"ok: root {round_.root} was published by {where} as round 1")
    assert out.endswith(f"a later round superseded it: merkleRoot is now {second.root}")

    code, out, err = run_command(capsys, *verify, "--from-block", str(l2.client.block_number()))
    assert code == 1 and f"was never published by {deployed.distributor}" in err and "\n" not in err


@pytest.mark.chain
def test_verify_round_refuses_a_root_published_with_other_figures(deployed, entitlements, l2, tmp_path, capsys):
    round_, path = frozen_dump(entitlements, tmp_path, {ALICE: 5, BOB: 7})
    # The publisher's key declares one account too many for this root (only a wrong or stolen key could);
    # the outbox would never sign it, so it is sent straight from the key.
    proposal = send_and_wait(l2.client, load_signer(), to=deployed.distributor,
                             data=contracts.propose_root_data(round_.root, 1, round_.total_atomic, 3))
    verify = ("verify_round", str(path), "--rpc", l2.node.url, "--distributor", deployed.distributor)
    code, _, err = run_command(capsys, *verify)
    assert code == 1
    assert err == (f"error: round 1 (block {proposal.block_number}) proposed root {round_.root} declaring total "
                   f"{round_.total_atomic} and 3 accounts, but {path.name} has {round_.total_atomic} and 2")
    l2.advance_time(ACTIVATION_DELAY)
    activated = send_and_wait(l2.client, load_signer(), to=deployed.distributor, data=contracts.activate_root_data())
    code, _, err = run_command(capsys, *verify)
    assert code == 1 and f"(block {activated.block_number}) published root" not in err  # the proposal fails first
    assert "declaring total" in err and "and 3 accounts" in err


@pytest.mark.chain
def test_verify_round_reports_a_pending_root_and_refuses_a_vetoed_one(deployed, entitlements, l2, tmp_path, capsys):
    round_, path = frozen_dump(entitlements, tmp_path, {ALICE: 5, BOB: 7})
    propose_and_wait(l2, round_)
    verify = ("verify_round", str(path), "--rpc", l2.node.url, "--distributor", deployed.distributor)
    code, out, err = run_command(capsys, *verify)
    assert (code, err) == (0, "") and f"ok: root {round_.root} is pending on {deployed.distributor}" in out
    send_and_wait(l2.client, load_guardian(), to=deployed.distributor, data=contracts.veto_root_data(round_.root))
    code, out, err = run_command(capsys, *verify)
    assert code == 1 and "was vetoed by the guardian" in err and "\n" not in err


def test_verify_round_reports_an_unreachable_node_in_one_line(entitlements, tmp_path, capsys):
    _, path = frozen_dump(entitlements, tmp_path, {ALICE: 5})
    code, _, err = run_command(
        capsys, "verify_round", str(path), "--rpc", "http://127.0.0.1:9", "--distributor", ALICE
    )
    assert code == 1 and err.startswith("error: cannot read") and "\n" not in err


def test_freeze_round_command_prints_the_root(entitlements, capsys):
    entitlements.set(bonus={ALICE: 3})
    call_command("freeze_round", "--cutoff", "2030-01-01T00:00:00Z")
    out = capsys.readouterr().out
    from swap.distributions.models import DistributionRound

    round_ = DistributionRound.objects.get()
    assert round_.status == RoundStatus.FROZEN and round_.root in out
    assert round_.cutoff_at.isoformat() == "2030-01-01T00:00:00+00:00"


@pytest.mark.chain
def test_deploy_then_track_until_idle_on_the_local_chain(l2, capsys):
    call_command("deploy_contracts", "--supply", "1000", "--fund", "10")
    out = capsys.readouterr().out
    assert "L2_DISTRIBUTOR_ADDRESS=0x" in out and "L2_TOKEN_ADDRESS=0x" in out
    call_command("track_transactions", "--until-idle", "--mine", "--interval", "0")
    assert capsys.readouterr().out.strip().endswith("open 0")


@pytest.mark.chain
@pytest.mark.slow
def test_run_local_chain_serves_anvil_with_the_contracts_deployed(tmp_path):
    import os
    import signal
    import sys

    import requests

    from swap.chain.anvil import free_loopback_port
    from tests.distributions.l2 import SERVICE_KEY, WATCHDOG_KEY

    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL")}
    env.update(SQLITE_PATH=str(tmp_path / "demo.sqlite3"), L2_SIGNER_KEY=SERVICE_KEY, WATCHDOG_SIGNER_KEY=WATCHDOG_KEY)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=REPO, env=env, check=True,
                   capture_output=True, timeout=300)
    port = free_loopback_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_local_chain", "--port", str(port), "--deploy", "--fund", "1000"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        lines = []
        while not (lines and lines[-1].startswith("listening on")):
            line = process.stdout.readline()
            assert line, "".join(lines) + (process.stdout.read() or "")
            lines.append(line.strip())
        values = dict(line.split("=", 1) for line in lines if "=" in line)
        assert values["L2_RPC_URL"] == f"http://127.0.0.1:{port}"
        code = requests.post(values["L2_RPC_URL"], timeout=10, json={
            "jsonrpc": "2.0", "id": 1, "method": "eth_getCode", "params": [values["L2_DISTRIBUTOR_ADDRESS"], "latest"],
        }).json()["result"]
        assert len(code) > 1000
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
