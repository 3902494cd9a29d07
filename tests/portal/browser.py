"""Portal pages in Debian's chromium (Playwright) at a desktop and a phone size, checked as a holder sees them.

`PortalBrowser.open(viewport)` gives a `HolderPage`: a tab that records CSP violations and every
request (requests to another origin fail, as offline), with the checks every holder page must
pass — axe (tests/portal/axe.py), no horizontal scroll, no atomic units, under 150 KB transferred, no CSP
violation — and a full-page screenshot under var/portal-screens/ for people to review.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.csp_browser import RECORD_VIOLATIONS
from tests.portal.axe import assert_accessible
from tests.registrations.test_browser import CHROMIUM, CHROMIUM_ARGS

SCREENS = Path(__file__).resolve().parents[2] / "var" / "portal-screens"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
NARROW = {"width": 320, "height": 640}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
MAX_PAGE_BYTES = 150 * 1024


@dataclass
class HolderPage:
    """One tab of the portal at one viewport."""

    page: Any
    origin: str
    label: str  # "desktop", "phone", "narrow": used in screenshot names
    requests: list[Any] = field(default_factory=list)
    offsite: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def goto(self, path: str, *, expect: int = 200) -> Any:
        self.requests.clear()
        response = self.page.goto(self.origin + path, wait_until="load")
        assert response is not None and response.status == expect, (path, response and response.status)
        return response

    def csp_violations(self) -> list[str]:
        recorded = list(self.page.evaluate("window.__cspViolations.splice(0)"))
        return recorded + [m for m in self.console if "Content Security Policy" in m or "Refused to" in m]

    def transferred_bytes(self) -> int:
        """Bytes of every response of this document (bodies and headers), as the network panel sums them."""
        total = 0
        for request in self.requests:
            sizes = request.sizes()
            total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        return total

    def horizontal_overflow(self) -> int:
        """How many CSS pixels the document is wider than the viewport (0: no sideways scroll)."""
        return int(self.page.evaluate(
            "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth"))

    def screenshot(self, name: str) -> Path:
        SCREENS.mkdir(parents=True, exist_ok=True)
        path = SCREENS / f"{name}-{self.label}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def holder_text(self) -> str:
        """The page's main text, as a holder reads it (the claim widget included)."""
        return str(self.page.inner_text("main"))

    def check(self, name: str) -> None:
        """Every holder-page check, then a screenshot named `name`."""
        self.screenshot(name)
        assert "atomic" not in self.holder_text().lower(), f"{name} shows atomic units"
        assert self.horizontal_overflow() <= 0, f"{name} scrolls sideways at {self.label}"
        assert_accessible(self.page, f"{name} at {self.label}")
        assert self.transferred_bytes() < MAX_PAGE_BYTES, f"{name}: {self.transferred_bytes()} bytes"
        assert self.csp_violations() == [], name
        assert self.offsite == [], name


class PortalBrowser:
    """One chromium for the session; a fresh context (cookies, storage) per `open`."""

    def __init__(self, browser: Any, origin: str) -> None:
        self.browser, self.origin = browser, origin

    @contextmanager
    def open(self, label: str = "desktop", viewport: dict[str, int] | None = None,
             init_script: str = "") -> Iterator[HolderPage]:
        size = viewport or {"desktop": DESKTOP, "phone": PHONE, "narrow": NARROW}[label]
        context = self.browser.new_context(viewport=size)
        context.add_init_script(RECORD_VIOLATIONS)
        if init_script:  # e.g. an injected EIP-1193 provider; runs before the page's own scripts
            context.add_init_script(init_script)
        holder = HolderPage(context.new_page(), self.origin, label)

        def route(route: Any) -> None:
            url = route.request.url
            if url.startswith(self.origin) or url.startswith(("data:", "blob:")):
                route.continue_()
            else:
                holder.offsite.append(url)
                route.abort("internetdisconnected")

        context.route("**/*", route)
        holder.page.on("requestfinished", lambda request: holder.requests.append(request))
        holder.page.on("console", lambda m: holder.console.append(m.text) if m.type in ("error", "warning") else None)
        try:
            yield holder
        finally:
            context.close()


@contextmanager
def chromium() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
