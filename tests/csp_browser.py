"""A chromium page (Playwright) that records every CSP violation and every request off the site.

Used by the browser tests of issue 17, item 6: the page listens for `securitypolicyviolation` from
before any of the site's scripts run, keeps chromium's own "Refused to …" console errors, and
answers every request to another origin with a network error (as a machine with no internet
would), so "renders offline" and "no violation" are both observed, not assumed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.registrations.test_browser import CHROMIUM, CHROMIUM_ARGS

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  const where = `${e.sourceFile || e.documentURI}:${e.lineNumber}`;
  window.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} in ${where}`);
});
"""


@dataclass
class Watched:
    page: Any
    origin: str
    console: list[str] = field(default_factory=list)
    offsite: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    def collect(self) -> list[str]:
        """Violations reported by the current document so far (kept across navigations)."""
        try:
            self.violations.extend(self.page.evaluate("window.__cspViolations.splice(0)"))
        except Exception:  # noqa: S110 - a document without the listener (a download) has nothing
            pass
        refused = [m for m in self.console if "Content Security Policy" in m or "Refused to" in m]
        return self.violations + refused

    def goto(self, path: str, **options: Any) -> Any:
        self.collect()
        return self.page.goto(self.origin + path, **options)


@contextmanager
def watched_page(origin: str, *, viewport: dict[str, int] | None = None) -> Iterator[Watched]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport=viewport or {"width": 1400, "height": 1000})
        context.add_init_script(RECORD_VIOLATIONS)
        watched = Watched(context.new_page(), origin)

        def route(route: Any) -> None:
            if route.request.url.startswith(origin) or route.request.url.startswith(("data:", "blob:")):
                route.continue_()
            else:
                watched.offsite.append(route.request.url)
                route.abort("internetdisconnected")

        context.route("**/*", route)
        watched.page.on("console", lambda message: watched.console.append(message.text)
                        if message.type in ("error", "warning") else None)
        try:
            yield watched
        finally:
            context.close()
            browser.close()
