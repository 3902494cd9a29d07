"""In chromium, a superuser works through the whole admin under the site's CSP and meets no violation.

Issue 17, item 6: the admin now sends the same strict policy as every page (no inline script or
style, nothing from another origin). Every list, change and add page of every model, the report
pages, the filters, the date hierarchy, the select-all box and actions menu, the theme toggle and
the permission picker's JavaScript all run; every violation and every off-site request is recorded
(tests/csp_browser.py).
"""

from __future__ import annotations

import pytest
from admin_world import PASSWORD, label, url
from django.contrib.auth.models import User

from swap.http import PAGE_CSP
from tests.csp_browser import watched_page
from tests.registrations.test_browser import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_superuser_uses_every_admin_page_with_no_csp_violation(rows, live_server, settings) -> None:
    settings.SESSION_COOKIE_SECURE = False  # the live server speaks plain HTTP
    settings.CSRF_COOKIE_SECURE = False
    pages = [url(model, "changelist") for model in rows] + [url(model, "change", obj) for model, obj in rows.items()]
    user = User.objects.get(username="root")
    registration = next(obj for model, obj in rows.items() if label(model) == "registrations.registration")
    pages += [url(User, "add"), url(User, "change", user), "/admin/auth/group/add/", "/admin/reconciliation/",
              f"/admin/explain/?oxen_address={registration.oxen_address}", "/admin/password_change/"]
    with watched_page(live_server.url) as watched:
        page = watched.page
        login = watched.goto("/admin/login/?next=/admin/")
        assert login.headers["content-security-policy"] == PAGE_CSP
        page.fill("#id_username", "root")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(f"{live_server.url}/admin/")
        for path in pages:
            response = watched.goto(path)
            assert response.status == 200, path
            assert response.headers["content-security-policy"] == PAGE_CSP, path
            assert watched.collect() == [], path

        # JavaScript at work: the changelist's select-all box and actions menu, its filters and search.
        watched.goto("/admin/swap/auditevent/")
        page.check("#action-toggle")
        rows_shown = page.locator("#result_list tbody tr").count()
        assert page.locator(".action-counter").inner_text().startswith(str(rows_shown))
        page.select_option("select[name=action]", index=1)
        page.fill("#searchbar", "registration")
        with page.expect_navigation():
            page.press("#searchbar", "Enter")
        # The permission picker (SelectFilter2) on a group's form, and the theme toggle.
        watched.goto("/admin/auth/group/add/")
        page.wait_for_selector("#id_permissions_from")
        page.click("#id_permissions_add_all")
        assert page.locator("#id_permissions_to option").count() > 10
        page.click("button.theme-toggle")
        assert page.evaluate("document.documentElement.dataset.theme") in ("light", "dark", "auto")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "admin-group-add-under-csp.png"), full_page=True)
        assert watched.collect() == []
        assert watched.offsite == []
