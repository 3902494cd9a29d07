"""The holder pages in their other states, by keyboard alone, in dark mode, and at their old addresses.

Over the served demo (tests/portal/conftest.py); every state passes the checks of `HolderPage.check`.
"""

from __future__ import annotations

import pytest
import requests

from swap.demo import cast
from swap.demo.wallets import demo_eth_address, demo_wallet
from tests.portal.browser import PortalBrowser
from tests.portal.demo_server import ServedDemo

pytestmark = [pytest.mark.browser, pytest.mark.chain, pytest.mark.slow]

# A history wallet the demo leaves unregistered (swap.demo.serve.TRY_WALLET): free for a person to register.
NEW_HOLDER = 7


def test_bookmarked_addresses_and_the_api_keep_answering(served: ServedDemo) -> None:
    alice_oxen = demo_wallet(cast.ALICE.wallets[0]).address
    for path in ("/", "/register/", "/status/", f"/status/?q={alice_oxen}", f"/status/?q={cast.ALICE.eth_address}",
                 "/claims/", "/bonus/", f"/bonus/?address={alice_oxen}", "/api/v1/rounds/",
                 f"/api/v1/proofs/{cast.ALICE.eth_address}/", "/api/v1/docs/", "/api/v1/schema/"):
        assert requests.get(served.origin + path, timeout=30).status_code == 200, path


@pytest.mark.parametrize("label", ["desktop", "phone", "narrow"])
def test_the_other_states_of_the_holder_pages_pass_the_checks(portal: PortalBrowser, label: str) -> None:
    alice_oxen = demo_wallet(cast.ALICE.wallets[0]).address
    stranger = demo_wallet(NEW_HOLDER + 1000).address
    with portal.open(label) as tab:
        tab.goto(f"/bonus/?address={alice_oxen}")
        assert tab.page.locator("#lookup-result").count() == 1
        tab.check("leaderboard-found")
        tab.goto(f"/status/?q={stranger}")
        assert "Nothing is registered for" in tab.page.locator("#not-found").inner_text()
        tab.check("status-not-registered")
        tab.goto("/claims/")
        tab.page.fill("#id_oxen_address", stranger)
        tab.page.click("button[type=submit]")
        tab.page.wait_for_selector(".error-summary")
        assert tab.page.title().startswith("Error: ")
        tab.check("claims-open-error")


def test_a_holder_registers_by_keyboard_alone_and_reads_the_next_steps(portal: PortalBrowser) -> None:
    wallet, eth = demo_wallet(NEW_HOLDER), demo_eth_address(NEW_HOLDER)
    with portal.open("phone") as tab:
        tab.goto("/")
        keyboard = tab.page.keyboard
        keyboard.press("Tab")
        assert tab.page.evaluate("() => document.activeElement.className") == "skip-link"
        keyboard.press("Tab")  # the site name
        keyboard.press("Tab")
        assert tab.page.evaluate("() => document.activeElement.textContent") == "Register"
        keyboard.press("Enter")
        tab.page.wait_for_url("**/register/")
        tab.page.focus("#id_oxen_address")
        keyboard.type(wallet.address)
        keyboard.press("Tab")
        keyboard.type(eth)
        keyboard.press("Tab")
        keyboard.type(wallet.sign(eth))
        focused = ""
        while focused != "id_not_an_exchange":  # on through the optional sections, by Tab only
            keyboard.press("Tab")
            focused = tab.page.evaluate("() => document.activeElement.id")
        keyboard.press("Space")
        keyboard.press("Tab")
        keyboard.press("Enter")
        tab.page.wait_for_url("**/register/done/")
        assert tab.page.locator("#registered h1").inner_text() in ("Registered", "Already registered")
        assert tab.page.locator("#next-steps li").count() == 4
        tab.check("registered")
        tab.page.reload()  # POST-redirect-GET: a reload shows the page, it does not post again
        assert tab.page.locator("#registered h1").count() == 1


def test_dark_mode_follows_the_system_and_stays_accessible(portal: PortalBrowser) -> None:
    with portal.open("phone") as tab:
        tab.page.emulate_media(color_scheme="dark")
        for path, name in (("/", "home-dark"), (f"/status/?q={cast.ALICE.eth_address}", "status-alice-dark"),
                           ("/status/?q=hello", "status-error-dark")):
            tab.goto(path, expect=400 if "hello" in path else 200)
            background = tab.page.evaluate("() => getComputedStyle(document.body).backgroundColor")
            assert background == "rgb(15, 18, 22)", background
            tab.check(name)
