"""The program-end banner in chromium: on every holder page, accessible (axe), no CSP violation, no sideways scroll.

Three states, from an announced end in the database: open (date and countdown), closed (claims and
registrations stopped), ended (the remainder went to the Staking Reward Pool).
"""

from __future__ import annotations

import time

import pytest
from django.conf import settings

from swap.chain.models import ProgramClosure, ProgramEndAnnouncement
from tests.csp_browser import watched_page
from tests.portal.axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = 86_400


def announce(end_time: int) -> None:
    ProgramEndAnnouncement.objects.create(chain_id=settings.L2_CHAIN_ID, distributor="", end_time=end_time,
                                          actor="test")


@pytest.mark.parametrize(("state", "expected"), [
    ("open", "The program ends"),
    ("closed", "Claims and registrations are closed"),
    ("ended", "The program ended"),
])
def test_the_banner_reads_well_on_every_holder_page(live_server, state: str, expected: str) -> None:
    now = int(time.time())
    end = {"open": now + 120 * DAY, "closed": now + 120 * DAY, "ended": now - DAY}[state]
    announce(end)
    if state == "closed":
        ProgramClosure.objects.create(chain_id=settings.L2_CHAIN_ID, distributor="", end_time=end, chain_time=end,
                                      actor="test")
    with watched_page(live_server.url, viewport={"width": 320, "height": 700}) as watched:
        for path in ("/", "/register/", "/claims/", "/status/", "/bonus/"):
            assert watched.goto(path).status == 200, path
            page = watched.page
            banner = page.locator("aside.program-end-banner")
            assert banner.count() == 1 and expected in banner.inner_text(), path
            assert "atomic" not in banner.inner_text().lower()
            assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, path
            assert_accessible(page, f"{path} with the {state} banner")
        feed = page.locator("aside.program-end-banner a[href='/announcements.atom']")
        assert feed.count() == 1
        assert watched.collect() == [] and watched.offsite == []
