"""In chromium: the API docs render offline from our own files, and portal pages meet no CSP violation.

Issue 17, item 6. Debian's chromium through Playwright against a live server; every request to
another origin fails as it would offline, and every CSP violation is recorded (tests/csp_browser.py).
"""

from __future__ import annotations

import pytest

from tests.csp_browser import watched_page
from tests.registrations.test_browser import SCREENSHOTS
from tests.registrations.wallets import Wallet, new_eth_address

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_offline_under_the_policy(live_server):
    with watched_page(live_server.url) as watched:
        response = watched.goto("/api/v1/docs/")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page = watched.page
        page.wait_for_selector("h1:has-text('Session Token swap & claims API')", timeout=30_000)
        page.wait_for_selector("h2:has-text('Register an Oxen address to an ETH address')", timeout=30_000)
        # The search box runs in Redoc's worker: type and get results.
        page.fill("input[placeholder='Search...']", "registration")
        page.wait_for_selector("[data-role='search:results'] li", timeout=30_000)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "api-docs.png"))
        # Redoc's footer always shows its vendor's logo from the vendor's CDN; the policy refuses it
        # (no third party learns who reads our docs). That refusal is the only report allowed here.
        vendor_logo = "https://cdn.redoc.ly/redoc/logo-mini.svg"
        assert [v for v in watched.collect() if vendor_logo not in v] == []
        assert watched.offsite == []


def test_the_portal_pages_meet_no_violation(live_server, settings):
    settings.REGISTRATION_RATE_LIMIT_IP = "1000/hour"
    wallet, eth = Wallet(), new_eth_address()
    with watched_page(live_server.url, viewport={"width": 390, "height": 844}) as watched:
        for path in ("/", "/bonus/", "/claims/", "/status/", "/register/"):
            assert watched.goto(path).status == 200, path
        page = watched.page
        page.fill("#id_oxen_address", wallet.address)
        page.fill("#id_eth_address", eth)
        page.fill("#id_signature", wallet.sign(eth))
        page.check("#id_not_an_exchange")
        page.click("button[type=submit]")
        assert page.locator("#registered h1").inner_text() == "Registered"
        # The stylesheet applies (it is a file now, not an inline block).
        # A function, not a string: polling a string expression needs eval, which the policy refuses.
        styled = "() => getComputedStyle(document.body).fontFamily.startsWith('system-ui')"
        page.wait_for_function(styled, timeout=10_000)
        watched.goto(f"/status/?q={wallet.address}")
        assert eth in page.content()
        assert watched.collect() == []
        assert watched.offsite == []
