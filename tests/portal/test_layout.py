"""Every holder page shares one layout: one navigation marking where you are, one footer, one stylesheet.

Over the served demo (tests/portal/conftest.py), at 1280x800 and 390x844: each page passes axe,
does not scroll sideways, stays under 150 KB, meets no CSP violation, and is screenshotted.
"""

from __future__ import annotations

import re
from fractions import Fraction

import pytest

from swap.core.amounts import format_amount
from swap.core.claims_allocation import credit_atomic
from swap.demo import cast
from tests.portal.browser import HolderPage, PortalBrowser
from tests.portal.demo_server import EXPLORER, ServedDemo

pytestmark = [pytest.mark.browser, pytest.mark.chain, pytest.mark.slow]

NAV = ["Register", "Status", "Swap OXEN", "Leaderboard"]
# path, screenshot name, the nav entry marked current (None: none)
PAGES = [
    ("/", "home", None),
    ("/register/", "register", "Register"),
    ("/status/", "status-empty", "Status"),
    ("/claims/", "claims-open", "Swap OXEN"),
    ("/bonus/", "leaderboard", "Leaderboard"),
    ("/verify/", "verify", None),
    ("/cannot-sign/", "cannot-sign", None),
]


@pytest.mark.parametrize("label", ["desktop", "phone", "narrow"])
def test_every_page_has_the_one_nav_and_footer_and_passes_the_checks(portal: PortalBrowser, label: str) -> None:
    with portal.open(label) as tab:
        for path, name, current in PAGES:
            tab.goto(path)
            nav = tab.page.locator("header nav a")
            assert nav.all_inner_texts() == NAV, path
            marked = tab.page.locator("header nav a[aria-current=page]").all_inner_texts()
            assert marked == ([current] if current else []), path
            footer = tab.page.locator("footer").inner_text()
            assert "official address" in footer and "API documentation" in footer, path
            assert tab.page.locator("link[rel=stylesheet]").count() == 1, path
            tab.check(name)



def _holder_paths() -> list[tuple[str, str]]:
    return [
        (f"/status/?q={cast.ALICE.eth_address}", "status-alice"),
        (f"/status/?q={cast.CAROL.eth_address}", "status-carol"),
        (f"/status/?q={cast.BOB.eth_address}", "status-bob"),
    ]


@pytest.mark.parametrize("label", ["desktop", "phone", "narrow"])
def test_the_status_dashboard_shows_both_programs_and_the_timeline(portal: PortalBrowser, served: ServedDemo,
                                                                   label: str) -> None:
    with portal.open(label) as tab:
        for path, name in _holder_paths():
            tab.goto(path)
            board = tab.page.locator(".dashboard").first
            assert board.locator("[data-figure=claimable]").count() == 1, path
            steps = tab.page.locator(".timeline li").evaluate_all("items => items.map(i => i.dataset.step)")
            assert steps[:6] == ["registered", "accruing", "in_round", "pending_activation", "claimable", "claimed"]
            tab.check(f"{name}")


def test_alices_figures_are_the_rounds_figures_in_sesh(portal: PortalBrowser, served: ServedDemo) -> None:
    entry = next(e for e in served.round_entries() if e["eth_address"] == cast.ALICE.eth_address)
    with portal.open("desktop") as tab:
        tab.goto(f"/status/?q={cast.ALICE.eth_address}")
        bonus = tab.page.locator("[data-figure=bonus-in-round]").first.inner_text()
        claims = tab.page.locator("[data-figure=claims-in-round]").first.inner_text()
        assert bonus == format_amount(int(entry["bonus_atomic"]), "SESH")
        assert claims == format_amount(int(entry["claims_atomic"]), "SESH")
        claimed = tab.page.locator("[data-figure=claimed]").first.inner_text()
        assert claimed == format_amount(int(entry["cumulative_sesh_atomic"]), "SESH")  # Alice claimed it all
        # The timeline links the round's and the claim's transactions to the explorer from settings.
        links = tab.page.locator(".timeline a").evaluate_all("links => links.map(a => a.href)")
        round_ = served.figures["round"]
        assert f"{EXPLORER}/tx/{round_['propose_tx']}" in links
        assert f"{EXPLORER}/tx/{round_['activate_tx']}" in links
        assert f"{EXPLORER}/tx/{served.figures['self_claim']['tx_hash']}" in links


@pytest.mark.parametrize("query", ["hello", "0x1234", "Lxyz"])
def test_every_bad_lookup_gets_the_error_summary_focused_and_an_error_title(portal: PortalBrowser, query: str) -> None:
    with portal.open("phone") as tab:
        for path in (f"/status/?q={query}", f"/bonus/?address={query}"):
            tab.goto(path, expect=400)
            assert tab.page.title().startswith("Error: "), path
            assert tab.page.evaluate("document.activeElement.classList.contains('error-summary')"), path
            assert tab.page.locator(".error-summary li").count() == 1
            message = tab.page.locator(".error-summary li").inner_text()
            if query == "hello":  # the same words on every lookup
                assert message.startswith("“hello” is neither an Oxen address"), message
            tab.check("lookup-error-" + ("status" if "status" in path else "leaderboard"))


def test_aria_describedby_names_only_ids_that_exist_on_every_form(portal: PortalBrowser) -> None:
    missing_ids = """() => [...document.querySelectorAll('[aria-describedby]')].flatMap(
        el => el.getAttribute('aria-describedby').split(/\\s+/).filter(id => !document.getElementById(id)))"""
    with portal.open("desktop") as tab:
        for path in ("/register/", "/claims/", "/status/", "/bonus/", "/status/?q=hello", "/bonus/?address=hello",
                     _carols_claim_path(tab)):
            tab.goto(path, expect=400 if "hello" in path else 200)
            assert tab.page.evaluate(missing_ids) == [], path
        tab.goto("/claims/")
        tab.page.click("button[type=submit]")  # empty: the field in error
        tab.page.wait_for_load_state("load")
        assert tab.page.evaluate(missing_ids) == []
        assert tab.page.locator("#id_oxen_address[aria-invalid=true]").count() == 1
        tab.goto("/register/")
        tab.page.click("button[type=submit]")  # everything empty: every field in error
        tab.page.wait_for_load_state("load")
        assert tab.page.evaluate(missing_ids) == []
        assert tab.page.title().startswith("Error: ")
        tab.page.wait_for_function("() => document.activeElement.classList.contains('error-summary')", timeout=5_000)
        tab.check("register-errors")


def _carols_claim_path(tab: HolderPage) -> str:
    tab.goto(f"/status/?q={cast.CAROL.eth_address}")
    href = tab.page.locator("main a[href^='/claims/']:not([href='/claims/'])").first.get_attribute("href")
    assert href and href != "/claims/"
    return href


@pytest.mark.parametrize("label", ["desktop", "phone", "narrow"])
def test_the_claim_page_shows_the_address_qr_deposits_and_estimates_as_you_type(portal: PortalBrowser,
                                                                                label: str) -> None:
    with portal.open(label) as tab:
        path = _carols_claim_path(tab)
        tab.goto(path)
        assert tab.page.locator("#qr svg").count() == 1
        assert tab.page.locator("button.copy[data-copy^='L']").count() >= 1
        assert "credited" in tab.page.locator("#deposits").inner_text()
        assert "admin" not in tab.page.locator("main").inner_text().lower()
        claim = tab.page.evaluate(f"fetch('/api/v1/{path.strip('/')}/').then(r => r.json())")
        rate = Fraction(int(claim["rate"]["num"]), int(claim["rate"]["den"]))
        multiplier = Fraction(int(claim["multiplier"]["num"]), int(claim["multiplier"]["den"]))
        for typed, atomic in (("1", 10**9), ("12345.678901234", 12_345_678_901_234), ("0,5", 5 * 10**8)):
            tab.page.fill("#send-oxen", typed)
            shown = tab.page.locator("#estimate").get_attribute("data-sesh-atomic")
            assert shown == str(credit_atomic(atomic, rate, multiplier)), typed
            expected = format_amount(credit_atomic(atomic, rate, multiplier), "SESH")
            assert expected in tab.page.locator("#estimate").inner_text(), typed
        tab.check("claim-detail")


def test_a_new_deposit_appears_on_the_claim_page_without_a_reload(portal: PortalBrowser, served: ServedDemo) -> None:
    with portal.open("phone") as tab:
        tab.goto(_carols_claim_path(tab))
        before = tab.page.locator("#deposits li").count()
        tab.page.evaluate("() => { window.__sameDocument = true; }")
        txid = served.send_oxen(tab.page.locator("#subaddress").inner_text(), 5_000 * 10**9)
        # The demo polls the claims wallet every minute and the page polls the API every 15 s.
        tab.page.wait_for_selector(f"#deposits li[data-txid='{txid}']", timeout=180_000)
        assert tab.page.evaluate("() => window.__sameDocument === true"), "the page reloaded"
        item = tab.page.locator(f"#deposits li[data-txid='{txid}']")
        assert "5,000 OXEN" in item.inner_text()
        assert re.search(r"\d+/10 confirmations|credited|seen", item.inner_text())
        assert tab.page.locator("#deposits li").count() == before + 1
        tab.check("claim-detail-new-deposit")
