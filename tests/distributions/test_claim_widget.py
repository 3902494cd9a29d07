"""The server side of the claim widget: what its script is told, and where a delivery request stands.

The selectors are recomputed here from the error declarations in the Solidity source, not from the
artifact the service reads, so a stale build or a renamed error fails this test.
"""

import re
from pathlib import Path

import pytest
from django.utils import timezone

from swap.core.keccak import keccak256
from swap.distributions.proofs import claim_context
from swap.distributions.services.payouts import run_payouts
from swap.distributions.services.rounds import create_round, freeze_round
from swap.distributions.wallet import chain_parameters, widget_config
from tests.distributions.conftest import SESH
from tests.distributions.test_distribution_flow import ALICE, BOB, publish_and_activate

SOURCE = Path(__file__).resolve().parents[2] / "contracts" / "SwapDistributor.sol"
CAROL = "0x3333333333333333333333333333333333333333"
URL = "/api/v1/payout-requests/"


def declared_selector(name):
    """The selector of `error <name>(…)` as declared in the contract's source."""
    declared = re.search(rf"error {name}\(([^)]*)\);", SOURCE.read_text())
    assert declared, f"{name} is not declared in {SOURCE.name}"
    types = ",".join(argument.split()[0] for argument in declared.group(1).split(",") if argument.strip())
    return "0x" + keccak256(f"{name}({types})".encode())[:4].hex()


@pytest.mark.parametrize(
    ("error", "reason"),
    [("NothingToClaim", "nothing_to_claim"), ("InvalidProof", "root_changed"), ("NoRoot", "no_root"),
     ("ProgramClosed", "closed"), ("RootMismatch", "reverted")],
)
def test_the_script_decodes_the_contracts_named_errors_with_their_meaning(error, reason):
    assert widget_config()["errors"][declared_selector(error)] == {"name": error, "reason": reason}


def test_the_pause_error_of_openzeppelin_is_decoded_as_paused():
    selector = "0x" + keccak256(b"EnforcedPause()")[:4].hex()
    assert widget_config()["errors"][selector] == {"name": "EnforcedPause", "reason": "paused"}


def test_a_wallet_is_offered_the_chain_from_settings(settings):
    settings.L2_CHAIN_ID = 42161
    settings.L2_CHAIN_NAME = "Arbitrum One"
    settings.L2_PUBLIC_RPC_URL = "https://arb1.arbitrum.io/rpc"
    settings.L2_NATIVE_CURRENCY_NAME, settings.L2_NATIVE_CURRENCY_SYMBOL = "Ether", "ETH"
    settings.PORTAL_EXPLORER_URL = "https://arbiscan.io/"
    assert chain_parameters() == {
        "chainId": "0xa4b1", "chainName": "Arbitrum One", "rpcUrls": ["https://arb1.arbitrum.io/rpc"],
        "nativeCurrency": {"name": "Ether", "symbol": "ETH", "decimals": 18},
        "blockExplorerUrls": ["https://arbiscan.io"],
    }
    assert widget_config()["explorer_tx"] == "https://arbiscan.io/tx/{tx}"


def test_the_service_rpc_url_is_never_offered_to_wallets(settings):
    settings.L2_RPC_URL = "https://arb-mainnet.example/v2/secret-key"
    settings.L2_PUBLIC_RPC_URL = ""
    settings.PORTAL_EXPLORER_URL = ""
    assert chain_parameters()["rpcUrls"] == [] and "blockExplorerUrls" not in chain_parameters()
    assert "secret-key" not in str(widget_config())


@pytest.mark.django_db
def test_before_any_active_round_a_request_waits_for_one_and_asking_again_shows_the_same(client, entitlements):
    entitlements.set(bonus={ALICE: 3 * SESH})
    freeze_round(create_round(cutoff=timezone.now(), actor="test").pk, actor="test")
    first = client.post(URL, {"eth_address": ALICE}, content_type="application/json")
    again = client.post(URL, {"eth_address": ALICE}, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert first.json()["state"] == "waiting_for_round" and first.json()["place"] is None
    assert "No active round pays this account yet" in claim_context(ALICE)["delivery_text"]


@pytest.mark.chain
@pytest.mark.django_db(transaction=True)
def test_a_request_is_queued_in_the_payout_order_then_sent_then_delivered(client, deployed, entitlements, l2):
    entitlements.set(bonus={ALICE: 5 * SESH, BOB: 7 * SESH, CAROL: 1})
    publish_and_activate(l2, freeze_round(create_round(cutoff=timezone.now(), actor="test").pk, actor="test"))
    client.post(URL, {"eth_address": BOB}, content_type="application/json")
    answer = client.post(URL, {"eth_address": ALICE}, content_type="application/json").json()
    # The payout job batches due accounts in address order: ALICE (0x5290…) before BOB (0x7099…).
    assert (answer["state"], answer["round"], answer["place"], answer["queued"]) == ("queued", 1, 1, 2)
    assert "place 1 of 2 in the queue for round 1" in claim_context(ALICE)["delivery_text"]
    (batch,) = run_payouts(actor="test")
    sending = client.post(URL, {"eth_address": ALICE}, content_type="application/json").json()
    assert (sending["state"], sending["place"], sending["queued"]) == ("sending", None, 0)
    l2.settle()
    delivered = client.post(URL, {"eth_address": BOB}, content_type="application/json").json()
    batch.refresh_from_db()
    assert delivered["state"] == "delivered" and delivered["tx_hash"] == batch.transaction.tx_hash != ""


@pytest.mark.django_db
def test_the_status_page_writes_sesh_amounts_and_the_ready_call_data(client, entitlements, settings):
    settings.L2_DISTRIBUTOR_ADDRESS = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
    settings.PORTAL_EXPLORER_URL = "https://arbiscan.io"
    entitlements.set(bonus={ALICE: 34_328 * SESH}, claims={ALICE: 254_472_717})
    freeze_round(create_round(cutoff=timezone.now(), actor="test").pk, actor="test")
    page = client.get("/status/", {"q": ALICE}).content.decode()
    ctx = claim_context(ALICE)
    assert "34,328.254472717 SESH" in page and "atomic SESH" not in page
    assert ctx["claim"]["claim_calldata"] in page
    assert "claim(address account, uint256 cumulativeAmount, bytes32[] proof)" in page
    assert 'data-claim-state="idle"' in page and 'aria-live="polite"' in page
    assert 'href="https://arbiscan.io/address/0x5FbDB2315678afecb367f032d93F642f64180aa3"' in page
