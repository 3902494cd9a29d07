"""The `anvil` fixture: one local node per session, each test starting from the same chain state."""

import time

import pytest

from swap.chain.anvil import ANVIL_CHAIN_ID

pytestmark = pytest.mark.chain

BURN = "0x000000000000000000000000000000000000dEaD"


def balance(node, address):
    return int(node.rpc("eth_getBalance", [address, "latest"]), 16)


def send_one_ether_to_burn(node):
    sender = node.rpc("eth_accounts")[0]
    tx_hash = node.rpc("eth_sendTransaction", [{"from": sender, "to": BURN, "value": hex(10**18)}])
    deadline = time.monotonic() + 10
    # Anvil mines at once but may publish the receipt a moment later (seen right after evm_revert).
    while (receipt := node.rpc("eth_getTransactionReceipt", [tx_hash])) is None:
        assert time.monotonic() < deadline, "transaction not mined within 10 s"
        time.sleep(0.02)
    assert int(receipt["status"], 16) == 1


@pytest.mark.parametrize("attempt", [1, 2])
def test_each_test_sees_the_chain_as_it_was_before_any_test(anvil, attempt):
    assert int(anvil.rpc("eth_chainId"), 16) == ANVIL_CHAIN_ID
    assert balance(anvil, BURN) == 0, "a previous test's transaction leaked into this one"
    send_one_ether_to_burn(anvil)
    assert balance(anvil, BURN) == 10**18


def test_the_node_is_shared_across_the_session(anvil, anvil_session):
    assert anvil is anvil_session
    assert anvil.url.startswith("http://127.0.0.1:")
