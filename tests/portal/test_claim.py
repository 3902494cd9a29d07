"""The claim widget in Debian's chromium, over the served demo, through every wallet path (issue 15, points 2-3).

The wallet is injected (tests/portal/wallet.py) and backed by the demo's anvil; what anvil says is
the judge: every scenario asserts the section's `data-claim-state`, the text a holder reads, what
the chain holds afterwards (claimed, balances, the receipts' status), and the page's checks (axe,
no sideways scroll, size, CSP; a screenshot under var/portal-screens/) at 1280 and 390 px.

Each scenario that pays takes a holder of its own from the demo's claimable holders, since a
claim happens once; the scenarios that pay nothing share one.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
import requests

from swap.chain import contracts
from swap.chain.client import get_client, reset_clients
from swap.chain.local import execute_as_safe
from swap.core.amounts import format_amount
from swap.demo import cast
from swap.demo.environment import DEMO_MARKER, PRODUCTION_VARIABLES, database_path, env_file
from swap.demo.wallets import demo_wallet
from tests.portal.browser import HolderPage, PortalBrowser
from tests.portal.demo_server import EXPLORER, REPO, ServedDemo
from tests.portal.wallet import (
    ANVIL_CHAIN,
    OTHER_CHAIN,
    PAUSER,
    SOMEONE_ELSE,
    AnvilWallet,
    Chain,
    provider_script,
)

pytestmark = [pytest.mark.browser, pytest.mark.chain, pytest.mark.slow]

LABELS = ["desktop", "phone"]
PERSONAS = (cast.ALICE, cast.BOB, cast.CAROL)
DEPOSITOR = demo_wallet(cast.OTHER_WALLETS[-1])  # opens a coin claim whose deposits change the root
STATE_TIMEOUT_MS = 180_000
OXEN = 10**9


@pytest.fixture(scope="module")
def chain(served: ServedDemo) -> Chain:
    return Chain(served.anvil)


@pytest.fixture(scope="module")
def holders(served: ServedDemo) -> list[str]:
    """The demo's holders with SESH left to claim, but for Alice, Bob and Carol (other tests' personas)."""
    found = []
    for holder in cast.HOLDERS:
        if holder in PERSONAS:
            continue
        answer = requests.get(f"{served.origin}/api/v1/proofs/{holder.eth_address}/", timeout=30)
        if answer.status_code == 200 and answer.json()["claimable"]:
            found.append(holder.eth_address)
    return found


def take(holders: list[str]) -> str:
    """A claimable holder no other scenario uses."""
    if not holders:
        pytest.fail("the served demo has no claimable holder left for this scenario")
    return holders.pop(0)


@pytest.fixture(scope="module")
def bystander(holders: list[str]) -> str:
    """The holder of the scenarios that pay nothing: never claimed, so each of them starts alike."""
    if not holders:
        pytest.fail("the served demo has no claimable holder")
    return holders.pop()


@dataclass
class Onchain:
    """What the chain says about one holder: the judge of every scenario."""

    chain: Chain
    account: str
    distributor: str
    token: str

    def claimed(self) -> int:
        return self.chain.claimed(self.distributor, self.account)

    def balance(self) -> int:
        return self.chain.balance(self.token, self.account)


def proof(served: ServedDemo, account: str) -> dict[str, Any]:
    return dict(requests.get(f"{served.origin}/api/v1/proofs/{account}/", timeout=30).json())


def onchain(served: ServedDemo, chain: Chain, account: str) -> Onchain:
    return Onchain(chain, account, proof(served, account)["distributor"], served.figures["contracts"]["token"])


@dataclass
class Section:
    """One account's claim section on the status page."""

    tab: HolderPage
    account: str

    @property
    def css(self) -> str:
        return f"section.sesh-claim[data-eth-address='{self.account}']"

    def click(self, what: str) -> None:
        self.tab.page.click(f"{self.css} {what}")

    def reaches(self, state: str, name: str) -> str:
        """Wait for `state`, run the page's checks (screenshot `name`), return the status text."""
        self.tab.page.wait_for_selector(f"{self.css}[data-claim-state='{state}']", timeout=STATE_TIMEOUT_MS)
        self.tab.check(name)
        return str(self.tab.page.inner_text(f"{self.css} .sesh-claim-status"))

    def reason(self) -> str | None:
        return self.tab.page.get_attribute(self.css, "data-claim-reason")

    def states(self) -> list[str]:
        """The states the section went through, in order (recorded by the init script)."""
        seen: list[str] = []
        for state in self.tab.page.evaluate("window.__claimStates || []"):
            if not seen or seen[-1] != state:
                seen.append(state)
        return seen

    def figure(self, name: str) -> str:
        return str(self.tab.page.inner_text(f"{self.css} [data-claim-figure='{name}']"))

    def dashboard(self, name: str) -> str:
        """The same figure in the status page's dashboard above the section."""
        return str(self.tab.page.inner_text(f"#dashboard-{self.account} [data-figure='{name}']"))


RECORD_STATES = """
document.addEventListener("DOMContentLoaded", () => {
  window.__claimStates = [];
  new MutationObserver((records) => records.forEach((r) => window.__claimStates.push(r.target.dataset.claimState)))
    .observe(document.body, { subtree: true, attributes: true, attributeFilter: ["data-claim-state"] });
});
"""


@contextmanager
def claim_page(portal: PortalBrowser, label: str, account: str, wallets: dict[str, AnvilWallet], *,
               announced: tuple[str, ...] = (), legacy: bool = True) -> Iterator[Section]:
    """The status page of `account` with the given wallets installed (none: a browser without one)."""
    script = RECORD_STATES + (provider_script(list(announced), legacy=legacy) if wallets else "")
    with portal.open(label, init_script=script) as tab:
        if wallets:
            tab.page.expose_function("__seshWallet",
                                     lambda payload: wallets[json.loads(payload)["wallet"]].handle(payload))
        tab.goto(f"/status/?q={account}")
        yield Section(tab, account)


def mine_while_pending(section: Section, chain: Chain) -> None:
    """Confirmations come from new blocks: add them once the page waits for them (the demo adds one every 2 s)."""
    section.tab.page.wait_for_selector(f"{section.css}[data-claim-state='pending']", timeout=STATE_TIMEOUT_MS)
    chain.rpc("anvil_mine", ["0x3"])


# -- scenarios that pay nothing ----------------------------------------------------------------


@pytest.mark.parametrize("label", LABELS)
def test_without_a_wallet_the_page_gives_the_ready_call_data(portal, served, chain, bystander, label):
    judge = onchain(served, chain, bystander)
    before = judge.claimed()
    served_proof = proof(served, bystander)
    with claim_page(portal, label, bystander, {}) as section:
        section.click(".sesh-claim-button")
        text = section.reaches("failed", "claim-no-wallet")
        assert section.reason() == "no_wallet"
        assert "No browser wallet was found" in text
        manual = section.tab.page.locator(f"{section.css} .sesh-claim-manual")
        assert manual.get_attribute("open") is not None
        assert manual.locator("textarea").nth(1).input_value() == served_proof["claim_calldata"]
        copy = manual.locator("button.copy", has_text="Copy the call data")
        assert copy.get_attribute("data-copy") == served_proof["claim_calldata"]
        assert "claim(address account, uint256 cumulativeAmount, bytes32[] proof)" in manual.inner_text()
        assert served_proof["cumulative_atomic"] in manual.inner_text()
    assert judge.claimed() == before


@pytest.mark.parametrize("label", LABELS)
def test_a_declined_connection_sends_nothing(portal, served, chain, bystander, label):
    judge = onchain(served, chain, bystander)
    before = judge.claimed()
    wallet = AnvilWallet(chain, reject_connect=True, wrap_refusals=label == "phone")
    with claim_page(portal, label, bystander, {"legacy": wallet}) as section:
        section.click(".sesh-claim-button")
        text = section.reaches("failed", "claim-connect-rejected")
        assert section.reason() == "connect_rejected"
        assert "You declined the connection in your wallet." in text and "Nothing was sent" in text
        assert section.states() == ["connecting", "failed"]
    assert wallet.calls == ["eth_requestAccounts"] and wallet.sent == []
    assert judge.claimed() == before


@pytest.mark.parametrize("label", LABELS)
def test_a_declined_chain_switch_sends_nothing(portal, served, chain, bystander, label):
    judge = onchain(served, chain, bystander)
    before = judge.claimed()
    wallet = AnvilWallet(chain, chain_id=OTHER_CHAIN, reject_switch=True)
    with claim_page(portal, label, bystander, {"legacy": wallet}) as section:
        section.click(".sesh-claim-button")
        text = section.reaches("failed", "claim-switch-rejected")
        assert section.reason() == "switch_rejected"
        assert "Your wallet stayed on another network: claiming needs Anvil (local) (chain id 31337)." in text
        assert section.states() == ["connecting", "switching", "failed"]
    assert "eth_sendTransaction" not in wallet.calls and wallet.chain_id == OTHER_CHAIN
    assert judge.claimed() == before


@pytest.mark.parametrize("label", LABELS)
def test_a_declined_network_addition_sends_nothing(portal, served, chain, bystander, label):
    judge = onchain(served, chain, bystander)
    before = judge.claimed()
    wallet = AnvilWallet(chain, chain_id=OTHER_CHAIN, known_chains={OTHER_CHAIN}, reject_add=True)
    with claim_page(portal, label, bystander, {"legacy": wallet}) as section:
        section.click(".sesh-claim-button")
        text = section.reaches("failed", "claim-add-rejected")
        assert section.reason() == "add_rejected"
        assert "Your wallet did not add Anvil (local) (chain id 31337)." in text
        assert section.states() == ["connecting", "switching", "failed"]
    assert wallet.calls[-1] == "wallet_addEthereumChain" and wallet.added_chains == [] and wallet.sent == []
    assert judge.claimed() == before


@pytest.mark.parametrize("label", LABELS)
def test_a_rejected_transaction_sends_nothing(portal, served, chain, bystander, label):
    judge = onchain(served, chain, bystander)
    before = judge.claimed()
    wallet = AnvilWallet(chain, reject_send=True)
    with claim_page(portal, label, bystander, {"legacy": wallet}) as section:
        section.click(".sesh-claim-button")
        text = section.reaches("failed", "claim-send-rejected")
        assert section.reason() == "send_rejected"
        assert "You rejected the transaction in your wallet." in text and "no fee was paid" in text
    assert wallet.calls[-1] == "eth_sendTransaction" and wallet.sent == []
    assert judge.claimed() == before


@pytest.fixture
def paused(served, chain, settings) -> Iterator[str]:
    """The distributor paused by its pauser (the watchdog's key); unpaused afterwards by the 2-of-3 Safe."""
    distributor = proof(served, cast.ALICE.eth_address)["distributor"]
    assert chain.send(PAUSER, distributor, contracts.pause_data())["status"] == "0x1"
    try:
        yield distributor
    finally:
        settings.L2_RPC_URL, settings.L2_CHAIN_ID = served.anvil, 31337
        reset_clients()
        execute_as_safe(get_client(), served.figures["contracts"]["safe"], to=distributor,
                        data=contracts.unpause_data())
        reset_clients()
        assert not chain.paused(distributor)


@pytest.mark.parametrize("label", LABELS)
def test_a_paused_distributor_is_said_so_before_anything_is_sent(portal, served, chain, bystander, paused, label):
    judge = onchain(served, chain, bystander)
    before = judge.claimed()
    wallet = AnvilWallet(chain)
    with claim_page(portal, label, bystander, {"legacy": wallet}) as section:
        section.click(".sesh-claim-button")
        text = section.reaches("failed", "claim-paused")
        assert section.reason() == "paused"
        assert "Claims are paused on the distributor" in text and "Nothing was sent" in text
        assert section.tab.page.inner_text(f"{section.css} .sesh-claim-button") == "Claim again"
    assert "eth_sendTransaction" not in wallet.calls and chain.paused(paused)
    assert judge.claimed() == before


# -- scenarios that pay ------------------------------------------------------------------------


def assert_paid_once(judge: Onchain, balance_before: int, cumulative: int) -> int:
    paid = judge.balance() - balance_before
    assert judge.claimed() == cumulative and paid > 0
    return paid


@pytest.mark.parametrize("label", LABELS)
def test_a_wallet_that_does_not_know_the_chain_adds_it_then_claims(portal, served, chain, holders, label):
    account = take(holders)
    judge = onchain(served, chain, account)
    owed, balance = int(proof(served, account)["cumulative_atomic"]) - judge.claimed(), judge.balance()
    # On the phone, the refusal comes wrapped as MetaMask mobile sends it.
    wallet = AnvilWallet(chain, chain_id=OTHER_CHAIN, known_chains={OTHER_CHAIN}, wrap_refusals=label == "phone")
    with claim_page(portal, label, account, {"legacy": wallet}) as section:
        section.click(".sesh-claim-button")
        mine_while_pending(section, chain)
        text = section.reaches("confirmed", "claim-added-chain-confirmed")
        assert f"Claimed {format_amount(owed, 'SESH')}." in text and wallet.sent[0] in text
        assert section.states() == ["connecting", "switching", "sending", "pending", "confirmed"]
        assert section.figure("claimable") == "0 SESH" == section.dashboard("claimable")
        assert section.figure("claimed") == format_amount(int(proof(served, account)["cumulative_atomic"]), "SESH")
        # The timeline, rendered before the claim, now ends on "Claimed", done.
        steps = section.tab.page.locator(f"#dashboard-{section.account} .timeline li")
        assert steps.evaluate_all("items => items.map(i => i.className)") == ["done"] * steps.count()
        section.click(".sesh-watch-asset")
        section.tab.page.wait_for_selector(f"{section.css} .sesh-claim-status:has-text('SESH is now listed')")
    (added,) = wallet.added_chains
    assert added == {"chainId": ANVIL_CHAIN, "chainName": "Anvil (local)", "rpcUrls": [served.anvil],
                     "nativeCurrency": {"name": "Ether", "symbol": "ETH", "decimals": 18},
                     "blockExplorerUrls": [EXPLORER]}
    assert wallet.calls.count("wallet_switchEthereumChain") == 2 and wallet.chain_id == ANVIL_CHAIN
    assert wallet.watched == [{"type": "ERC20", "options": {"address": judge.token, "symbol": "SESH", "decimals": 9}}]
    assert chain.receipt(wallet.sent[0])["status"] == "0x1"
    assert assert_paid_once(judge, balance, int(proof(served, account)["cumulative_atomic"])) == owed


@pytest.mark.parametrize("label", LABELS)
def test_with_several_wallets_the_holder_picks_one_and_claims(portal, served, chain, holders, label):
    account = take(holders)
    judge = onchain(served, chain, account)
    owed, balance = int(proof(served, account)["cumulative_atomic"]) - judge.claimed(), judge.balance()
    first, second, legacy = AnvilWallet(chain), AnvilWallet(chain), AnvilWallet(chain)
    wallets = {"Wallet One": first, "Wallet Two": second, "legacy": legacy}
    with claim_page(portal, label, account, wallets, announced=("Wallet One", "Wallet Two")) as section:
        section.click(".sesh-claim-button")
        section.tab.page.wait_for_selector(f"{section.css} .sesh-wallet-pick:not([hidden])")
        choices = section.tab.page.locator(f"{section.css} .sesh-wallet-choice")
        assert choices.all_inner_texts() == ["Wallet One", "Wallet Two"]
        section.reaches("connecting", "claim-pick-wallet")
        assert "Several wallets are installed" in section.tab.page.inner_text(f"{section.css} .sesh-wallet-pick")
        assert section.tab.page.evaluate("document.activeElement.textContent") == "Wallet One"
        choices.nth(1).click()
        mine_while_pending(section, chain)
        text = section.reaches("confirmed", "claim-confirmed")
        assert f"Claimed {format_amount(owed, 'SESH')}." in text and f"Paid to {account}." in text
    assert first.calls == [] and legacy.calls == [] and len(second.sent) == 1
    assert chain.receipt(second.sent[0])["status"] == "0x1"
    assert assert_paid_once(judge, balance, int(proof(served, account)["cumulative_atomic"])) == owed


@pytest.mark.parametrize("label", LABELS)
def test_a_claim_someone_else_sent_first_reverts_and_the_page_says_nothing_is_left(portal, served, chain, holders,
                                                                                     label):
    account = take(holders)
    judge = onchain(served, chain, account)
    cumulative, balance = int(proof(served, account)["cumulative_atomic"]), judge.balance()
    owed = cumulative - judge.claimed()

    def someone_else_claims_first(transaction: dict[str, Any]) -> None:
        assert chain.send(SOMEONE_ELSE, transaction["to"], transaction["data"])["status"] == "0x1"

    wallet = AnvilWallet(chain, before_send=someone_else_claims_first)
    with claim_page(portal, label, account, {"legacy": wallet}) as section:
        section.click(".sesh-claim-button")
        text = section.reaches("failed", "claim-reverted-nothing-left")
        assert section.reason() == "nothing_to_claim"
        assert "The transaction reverted and paid nothing" in text and "Nothing left to claim" in text
        assert wallet.sent[0] in text and "Claimed" not in text
        assert section.tab.page.is_hidden(f"{section.css} .sesh-claim-button")
        assert section.figure("claimable") == "0 SESH" == section.dashboard("claimable")
        assert section.figure("claimed") == format_amount(cumulative, "SESH") == section.dashboard("claimed")
    assert chain.receipt(wallet.sent[0])["status"] == "0x0"
    assert assert_paid_once(judge, balance, cumulative) == owed  # once, by the other sender


# -- the root changes between the proof and the send -------------------------------------------


def demo_environ(served: ServedDemo) -> dict[str, str]:
    """The environment the served demo's own processes run with (its demo.env)."""
    environ = {k: v for k, v in os.environ.items() if k not in PRODUCTION_VARIABLES}
    environ[DEMO_MARKER] = str(served.directory)
    for line in env_file(served.directory).read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            environ[name] = value
    return environ


def manage(served: ServedDemo, *arguments: str) -> str:
    done = subprocess.run([sys.executable, "manage.py", *arguments], cwd=REPO, env=demo_environ(served),
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"manage.py {' '.join(arguments)}: {done.stderr[-2000:]}"
    return done.stdout


def newest_round(served: ServedDemo) -> dict[str, Any]:
    return dict(requests.get(f"{served.origin}/api/v1/rounds/", timeout=30).json()[0])


def activate_a_new_round(served: ServedDemo, chain: Chain) -> int:
    """What the operators do when entitlements grow: a holder's coin claim is credited more OXEN, a
    round is frozen, proposed, lived through its delay on the chain's clock, and activated."""
    opened = requests.post(f"{served.origin}/api/v1/claims/", json={"oxen_address": DEPOSITOR.address}, timeout=30)
    assert opened.status_code in (200, 201), opened.text
    served.send_oxen(opened.json()["subaddress"], 10 * OXEN)
    requests.post(f"{served.oxend}/sim/add_blocks", json={"count": 10}, timeout=30).raise_for_status()
    manage(served, "poll_deposits")
    manage(served, "freeze_round")
    number = newest_round(served)["round"]
    manage(served, "publish_round", str(number))
    manage(served, "track_transactions", "--until-idle", "--interval", "0.5", "--timeout", "120")
    pending = newest_round(served)
    assert pending["status"] == "pending", pending
    now = int(chain.rpc("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)
    wait = int(datetime.fromisoformat(pending["activates_at"]).timestamp()) - now + 1
    chain.rpc("evm_increaseTime", [hex(max(wait, 1))])
    chain.rpc("evm_mine")
    manage(served, "activate_rounds")
    manage(served, "track_transactions", "--until-idle", "--interval", "0.5", "--timeout", "120")
    active = newest_round(served)
    assert active["status"] == "active", active
    return int(number)


@pytest.mark.parametrize("label", LABELS)
def test_a_root_changed_before_the_send_fetches_the_new_proof_and_claims_again(portal, served, chain, holders, label):
    account = take(holders)
    judge = onchain(served, chain, account)
    old = proof(served, account)
    balance = judge.balance()
    rounds: list[int] = []
    wallet = AnvilWallet(chain, before_send=lambda transaction: rounds.append(activate_a_new_round(served, chain)))
    with claim_page(portal, label, account, {"legacy": wallet}) as section:
        section.click(".sesh-claim-button")
        text = section.reaches("failed", "claim-root-changed")
        assert section.reason() == "root_changed"
        assert "A new distribution round became active" in text and "The new proof is loaded" in text
        assert section.tab.page.inner_text(f"{section.css} .sesh-claim-button") == "Claim again"
        new = proof(served, account)
        assert new["round"] == rounds[0] > old["round"] and new["root"] != old["root"]
        assert section.figure("round") == str(new["round"])
        section.click(".sesh-claim-button")
        mine_while_pending(section, chain)
        owed = int(new["cumulative_atomic"]) - int(old["claimed_atomic"])
        text = section.reaches("confirmed", "claim-root-changed-confirmed")
        assert f"Claimed {format_amount(owed, 'SESH')}." in text
    first, second = (chain.receipt(tx)["status"] for tx in wallet.sent)
    assert (first, second) == ("0x0", "0x1")
    assert assert_paid_once(judge, balance, int(new["cumulative_atomic"])) == owed


def test_the_claim_detail_carries_the_same_claim_section(portal, served):
    with sqlite3.connect(f"file:{database_path(served.directory)}?mode=ro", uri=True) as database:
        (claim_id,) = database.execute("SELECT id FROM claims_claim WHERE eth_address = ?",
                                       (cast.CAROL.eth_address,)).fetchone()
    for label in LABELS:
        with portal.open(label) as tab:
            tab.goto(f"/claims/{uuid.UUID(hex=claim_id)}/")
            section = f"section.sesh-claim[data-eth-address='{cast.CAROL.eth_address}']"
            assert tab.page.get_attribute(section, "data-claim-state") == "idle"
            assert tab.page.is_visible(f"{section} .sesh-deliver-button")
            tab.check("claim-detail-section")


# -- no gas: delivery --------------------------------------------------------------------------


def test_deliver_my_sesh_queues_the_account_once_and_shows_its_place(portal, served, holders):
    account = take(holders)
    shown = []
    for label in LABELS:
        with claim_page(portal, label, account, {}) as section:
            section.click(".sesh-deliver-button")
            status = f"{section.css} .sesh-deliver-status"
            section.tab.page.wait_for_selector(f"{status}:has-text('Delivery requested on')")
            section.tab.check("claim-deliver")
            shown.append(section.tab.page.inner_text(status))
    answer = requests.post(f"{served.origin}/api/v1/payout-requests/", json={"eth_address": account}, timeout=30)
    assert answer.status_code == 200  # recorded by the first click; every later one shows the same request
    body = answer.json()
    assert shown[0] == shown[1]
    if body["state"] == "queued":
        assert f"place {body['place']} of {body['queued']} in the queue for round {body['round']}" in shown[0]
    else:  # the demo's payout run may have picked it up between the clicks
        assert body["state"] in ("sending", "delivered")
