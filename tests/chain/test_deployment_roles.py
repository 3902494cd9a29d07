"""`deploy_contracts` on a chain that is not anvil's: one job per key, an admin that is a Safe.

A second anvil runs with Arbitrum One's chain id (42161), where anvil's development keys are
refused, so every key here is freshly generated and funded with `anvil_setBalance`.
"""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from eth_account import Account

from swap.chain import contracts, safe
from swap.chain.anvil import start_anvil
from swap.chain.client import get_client, reset_clients
from swap.chain.direct import send_and_wait
from swap.chain.local import deploy_safe
from swap.chain.signer import key_from_text

pytestmark = [pytest.mark.chain, pytest.mark.slow]
ARBITRUM = 42161


@pytest.fixture(scope="module")
def arbitrum_like():
    node = start_anvil(chain_id=ARBITRUM)
    try:
        yield node
    finally:
        node.stop()


def fresh_key(node):
    account = Account.create()
    node.rpc("anvil_setBalance", [account.address, hex(10**20)])
    return account


@pytest.fixture
def world(arbitrum_like, settings):
    """A deployer, three owners in a 2-of-3 Safe, a publisher, a guardian, and a token, on chain 42161."""
    node = arbitrum_like
    deployer, publisher, guardian = fresh_key(node), fresh_key(node), fresh_key(node)
    owners = [fresh_key(node) for _ in range(3)]
    settings.L2_RPC_URL, settings.L2_CHAIN_ID = node.url, ARBITRUM
    settings.L2_DEPLOYER_KEY, settings.L2_DEPLOYER_KEY_FILE = deployer.key.hex(), ""
    reset_clients()
    client = get_client()
    signer = key_from_text(deployer.key.hex(), chain_id=ARBITRUM)
    token = send_and_wait(client, signer, to=None,
                          data=contracts.load_artifact(contracts.TOKEN).deploy_data(10**18)).contract_address
    safe_address = deploy_safe(client, signer, [o.address for o in owners], 2)
    yield {"client": client, "deployer": deployer, "publisher": publisher, "guardian": guardian, "owners": owners,
           "token": token, "safe": safe_address}
    reset_clients()


def deploy(world, capsys, *, admin=None, publisher=None, guardian=None):
    args = ["--token", world["token"], "--admin", admin or world["safe"],
            "--publisher", publisher or world["publisher"].address, "--guardian", guardian or world["guardian"].address]
    out = io.StringIO()
    try:
        call_command("deploy_contracts", *args, stdout=out)
    except SystemExit as exit_:
        return exit_.code, capsys.readouterr().err
    return 0, out.getvalue()


@pytest.mark.parametrize(
    ("role_of", "reason"),
    [
        (lambda w: {"admin": w["owners"][0].address}, "is not a contract: it must be a Safe multisig"),
        (lambda w: {"guardian": w["publisher"].address}, "the key that proposes cannot veto its roots"),
        (lambda w: {"publisher": w["deployer"].address}, "would be both publisher and deployer"),
        (lambda w: {"guardian": w["deployer"].address}, "would be both guardian and deployer"),
    ],
)
def test_an_unsafe_plan_is_refused_in_one_line_before_anything_is_sent(world, capsys, role_of, reason):
    nonce = world["client"].get_nonce(world["deployer"].address)
    code, err = deploy(world, capsys, **role_of(world))
    assert code == 1 and err.startswith("error: ") and reason in err and err.count("\n") <= 1
    assert world["client"].get_nonce(world["deployer"].address) == nonce, "nothing was deployed"


def test_a_safe_plan_deploys_and_prints_the_grants_the_owners_then_execute(world, capsys):
    code, out = deploy(world, capsys)
    assert code == 0, out
    settings_lines = dict(line.split("=", 1) for line in out.splitlines() if "=" in line and "{" not in line)
    distributor = settings_lines["L2_DISTRIBUTOR_ADDRESS"]
    client = world["client"]
    assert contracts.roles_of(client, distributor, world["safe"]) == ["admin"]
    assert contracts.roles_of(client, distributor, world["deployer"].address) == []
    blocks = out.split("Safe transaction for the owners to sign")[1:]
    printed = [json.loads(block[block.index("{"):block.rindex("}") + 1]) for block in blocks]
    assert [p["nonce"] for p in printed] == [0, 1, 2]
    for described in printed:  # two owners sign each in their wallets; anyone executes
        tx = safe.SafeTransaction(**{k: v for k, v in described.items() if k != "safe_tx_hash"})
        assert tx.safe_tx_hash == described["safe_tx_hash"]
        signatures = dict(safe.sign(tx, owner.key) for owner in world["owners"][:2])
        send_and_wait(client, key_from_text(world["deployer"].key.hex(), chain_id=ARBITRUM), to=tx.safe,
                      data=safe.exec_transaction_data(tx, signatures))
    assert contracts.roles_of(client, distributor, world["publisher"].address) == ["publisher"]
    assert contracts.roles_of(client, distributor, world["guardian"].address) == ["pauser", "guardian"]
    assert contracts.activation_delay(client, distributor) == 24 * 3600


def test_the_local_deployment_is_refused_on_any_chain_but_anvils(world, capsys):
    with pytest.raises(SystemExit):
        call_command("deploy_contracts")
    assert "only on the local chain (31337)" in capsys.readouterr().err
