"""Every holder page shares one layout: one navigation marking where you are, one footer, one stylesheet.

Over the served demo (tests/portal/conftest.py), at 1280x800 and 390x844: each page passes axe,
does not scroll sideways, stays under 150 KB, meets no CSP violation, and is screenshotted.
"""

from __future__ import annotations

import pytest

from tests.portal.browser import PortalBrowser

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


@pytest.mark.parametrize("label", ["desktop", "phone"])
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

