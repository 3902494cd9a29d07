"""A real browser claims SESH from the status page through an EIP-1193 wallet.

The "wallet" is a `window.ethereum` whose `request` is bridged to Python (Playwright's
`expose_function`, not a network call, so the page's strict CSP applies exactly as in production)
and forwarded to anvil, where the helper account is unlocked — as a wallet extension would.
"""

import contextlib
import json
import time
from pathlib import Path

import pytest
from django.utils import timezone

from swap.distributions.services.rounds import create_round, freeze_round
from tests.distributions.conftest import SESH
from tests.distributions.l2 import HELPER_ADDRESS
from tests.distributions.test_distribution_flow import ALICE, BOB, balance, publish_and_activate

pytestmark = [pytest.mark.browser, pytest.mark.chain, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]

WALLET_SHIM = """
window.ethereum = {
  isTestWallet: true,
  request: async ({ method, params }) => {
    const reply = JSON.parse(await window.__walletRequest(JSON.stringify({ method, params: params || [] })));
    if (reply.error) { const e = new Error(reply.error); e.code = 4001; throw e; }
    return reply.result;
  },
};
"""


@contextlib.contextmanager
def chromium_page():
    """A page in Debian's chromium. Start it after the database work: Playwright's sync API runs an
    event loop in this thread, and Django refuses database calls while one runs."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser.new_context().new_page()
        finally:
            browser.close()


def test_a_holder_clicks_claim_and_the_wallet_sends_the_claim(deployed, entitlements, l2, live_server):
    entitlements.set(bonus={ALICE: 42 * SESH}, claims={BOB: 1})
    publish_and_activate(l2, freeze_round(create_round(cutoff=timezone.now(), actor="test").pk, actor="test"))
    calls = []

    def wallet_request(payload):
        request = json.loads(payload)
        calls.append(request["method"])
        if request["method"] == "eth_requestAccounts":
            return json.dumps({"result": [HELPER_ADDRESS]})
        try:
            return json.dumps({"result": l2.rpc(request["method"], request["params"])})
        except Exception as error:  # handed to the page as the wallet's rejection
            return json.dumps({"error": str(error)})

    console_errors = []
    with chromium_page() as page:
        page.expose_function("__walletRequest", wallet_request)
        page.add_init_script(WALLET_SHIM)
        page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" and not m.location.get(
            "url", "").endswith("/favicon.ico") else None)
        page.goto(f"{live_server.url}/status/?q={ALICE}")
        page.click(".sesh-claim-button")
        page.wait_for_selector(".sesh-claim-status:has-text('Claim sent')", timeout=20_000)
        status_text = page.inner_text(".sesh-claim-status")
    assert calls[0] == "eth_requestAccounts" and calls[-1] == "eth_sendTransaction"
    assert "42.000000000 SESH" in status_text
    deadline = time.monotonic() + 10
    while balance(ALICE) != 42 * SESH:
        assert time.monotonic() < deadline, "the claim was not mined"
        time.sleep(0.05)
    assert balance(BOB) == 0
    assert console_errors == [], "no CSP violation or script error on the page"
