"""A real browser (Debian's chromium through Playwright) registers through the form.

No browser download: Playwright drives `/usr/bin/chromium`, which `make browser` installs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.registrations.wallets import Wallet, new_eth_address

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("SWAP_SCREENSHOT_DIR", "/tmp/swap-screenshots"))


@pytest.fixture
def page(live_server) -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


def fill(page, live_server, *, oxen: str, eth: str, signature: str, acknowledge: bool = True) -> None:
    page.goto(f"{live_server.url}/register/")
    page.fill("#id_oxen_address", oxen)
    page.fill("#id_eth_address", eth)
    page.fill("#id_signature", signature)
    if acknowledge:
        page.check("#id_not_an_exchange")
    page.click("button[type=submit]")


def test_a_person_registers_through_the_form_and_sees_the_success_page(page, live_server):
    wallet, eth = Wallet(), new_eth_address()
    page.goto(f"{live_server.url}/register/")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "register-form.png"), full_page=True)
    fill(page, live_server, oxen=wallet.address, eth=eth, signature="  " + wallet.sign(eth) + "\n")
    assert page.locator("#registered h1").inner_text() == "Registered"
    assert page.locator("#eth-address").inner_text() == eth
    page.screenshot(path=str(SCREENSHOTS / "registered.png"), full_page=True)
    page.click("text=See the status page of this address")
    assert eth in page.locator("#current-registration").inner_text()


def test_a_person_who_pastes_a_subaddress_is_told_to_use_the_primary_address(page, live_server):
    wallet, eth = Wallet(), new_eth_address()
    subaddress, _ = wallet.subaddress()
    fill(page, live_server, oxen=subaddress, eth=eth, signature=wallet.sign(eth), acknowledge=False)
    errors = page.locator("#id_oxen_address_error").inner_text()
    assert "This is a subaddress — use your wallet's primary address: it starts with L" in errors
    assert "not an exchange address" in page.locator("#id_not_an_exchange_error").inner_text()
    assert page.input_value("#id_oxen_address") == subaddress
    page.screenshot(path=str(SCREENSHOTS / "register-errors.png"), full_page=True)
