"""Fixtures of the holder-portal browser tests (issue 15): the served demo and a chromium.

    def test_status(portal):
        with portal.open("phone") as tab:
            tab.goto(f"/status/?q={ALICE.eth_address}")
            tab.check("status-alice")   # axe, no sideways scroll, < 150 KB, no CSP violation, screenshot

`served` is the demo (origin, anvil URL, summary figures), started once per session.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.portal.browser import PortalBrowser, chromium
from tests.portal.demo_server import ServedDemo, served_demo


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedDemo]:
    with served_demo(tmp_path_factory.mktemp("portal-demo")) as demo:
        yield demo


@pytest.fixture(scope="session")
def portal(served: ServedDemo) -> Iterator[PortalBrowser]:
    with chromium() as browser:
        yield PortalBrowser(browser, served.origin)
