"""A real browser (Debian's chromium through Playwright): an auditor reads the books and edits nothing.

The auditor logs in through the admin's login form, opens the reconciliation page, follows a
number to its rows, looks up an Oxen address on the explanation page, and then tries every admin
page: each add and delete URL answers 403, and no record's page has a save button.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from admin_world import ALICE_SESH, PASSWORD, POOL, label, url

from swap.registrations.models import Registration
from tests.registrations.test_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(rows, live_server, settings) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A browser page; the rows are written first (Playwright's event loop forbids the ORM in this thread)."""
    # The live server speaks plain HTTP; the services pass's production defaults mark cookies Secure.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


def test_an_auditor_opens_the_reconciliation_page_and_cannot_reach_any_change_form(
    page, live_server, rows
) -> None:
    base = live_server.url
    page.goto(f"{base}/admin/login/?next=/admin/reconciliation/")
    page.fill("#id_username", "auditor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/reconciliation/")
    assert page.locator("#verdict").inner_text().startswith("BALANCED")
    pool_cell = page.locator('#program-1 td[data-figure="pool"]')
    assert pool_cell.get_attribute("data-atomic") == str(POOL)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "admin-reconciliation.png"), full_page=True)

    with page.expect_navigation():
        page.click('#program-1 td[data-figure="frozen in rounds"] a')
    assert "/admin/distributions/distributionentry/?round__id__exact=" in page.url
    assert page.locator("#result_list tbody tr").count() == 3
    assert page.locator(".object-tools .addlink").count() == 0

    first = rows[Registration]  # Alice's registration: the scenario registers her first
    page.goto(f"{base}/admin/explain/")
    page.fill("#id_oxen_address", first.oxen_address)
    with page.expect_navigation():
        page.click("#lookup input[type=submit]")
    assert page.locator("#bonus-sesh").get_attribute("data-atomic") == str(ALICE_SESH)
    page.screenshot(path=str(SCREENSHOTS / "admin-explanation.png"), full_page=True)

    for model, obj in rows.items():
        for view in ("add", "delete"):
            target = url(model, view, obj if view == "delete" else None)
            assert page.goto(base + target).status == 403, (label(model), view)
        response = page.goto(base + url(model, "change", obj))
        assert response.status == 200, label(model)
        saves = page.locator('input[name="_save"], input[name="_continue"], input[name="_addanother"]')
        assert saves.count() == 0, label(model)
        assert page.locator(".deletelink").count() == 0, label(model)
    page.goto(f"{base}/admin/")
    assert page.locator("a.addlink").count() == 0 and page.locator("a.changelink").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "admin-index-auditor.png"), full_page=True)
