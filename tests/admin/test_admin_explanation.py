"""The explanation page: everything behind one Oxen address's SESH, on the scripted scenario."""

from __future__ import annotations

import re

import pytest
from admin_world import ALICE_SESH, CAROL_SESH, POOL, START, Scenario
from django.contrib.auth.models import User

from swap.overview.explanation import explain_address

pytestmark = pytest.mark.django_db
OXEN = 10**9


def text_of(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</td>', html, re.S)
    assert found, element_id
    return re.sub(r"<[^>]+>", " ", found[1]).split()[0]


def test_a_stakers_page_shows_its_interval_its_stake_blocks_and_the_split(client, staff, scenario: Scenario) -> None:
    client.force_login(staff["auditor"])
    page = client.get("/admin/explain/", {"oxen_address": scenario.alice.address})
    assert page.status_code == 200
    html = page.content.decode()
    assert scenario.alice_eth in html and "current" in html
    assert f"earns from the program start, height {START}" in html
    interval = re.search(r'<tr class="interval">.*?</tr>', html, re.S)[0]
    assert "10,000.000000000" in interval and 'data-stake-blocks="1000000000000000"' in interval
    assert text_of(html, "address-stake-blocks") == str(10_000 * OXEN * 100)
    assert text_of(html, "eth-weight") == str(10_000 * OXEN * 100)
    assert text_of(html, "total-weight") == str(15_000 * OXEN * 100)
    assert text_of(html, "split-floor") == str(ALICE_SESH) and text_of(html, "leftover") == "0"
    assert f'id="bonus-sesh" data-atomic="{ALICE_SESH}"' in html
    entry = re.search(r'<tr class="entry">.*?</tr>', html, re.S)[0]
    assert f'data-atomic="{ALICE_SESH}"' in entry and scenario.round.root in entry
    assert "20,000,000.000000000 SESH (indexed to block 19)" in html


def test_a_claimers_page_shows_the_deposit_behind_the_credit_and_the_round(client, staff, scenario: Scenario) -> None:
    client.force_login(staff["operator"])
    html = client.get("/admin/explain/", {"oxen_address": scenario.carol_oxen}).content.decode()
    assert "No stake interval" in html and "receives no bonus" in html
    assert scenario.carol_txid[:10] in html and "10.000000000" in html
    assert "300000000/600000001 × 1" in html and f'class="amount credit" data-atomic="{CAROL_SESH}"' in html
    entry = re.search(r'<tr class="entry">.*?</tr>', html, re.S)[0]
    assert f'data-atomic="{CAROL_SESH}"' in entry and "(single leaf)" not in entry


def test_the_service_agrees_with_the_bonus_it_explains(scenario: Scenario) -> None:
    bob = explain_address(scenario.bob.address)
    assert bob.bonus is not None and bob.bonus.split is not None
    assert sum(line.stake_blocks for line in bob.bonus.intervals) == bob.bonus.stake_blocks == 5_000 * OXEN * 100
    assert bob.bonus.split.floor + bob.bonus.split.leftover_unit == bob.bonus.split.sesh == POOL - ALICE_SESH
    assert [entry.cumulative_atomic for entry in bob.entries] == [POOL - ALICE_SESH]


def test_an_unknown_address_is_explained_as_never_registered(client, staff, scenario: Scenario) -> None:
    client.force_login(staff["auditor"])
    html = client.get("/admin/explain/", {"oxen_address": "L" + "x" * 96}).content.decode()
    assert "has never been registered" in html and "No claim opened" in html
    assert "No round has an entry" in html


def test_staff_without_view_permissions_cannot_open_the_report_pages(client, staff) -> None:
    client.force_login(User.objects.create_user("intern", password="pw-for-tests-only", is_staff=True))
    assert client.get("/admin/explain/").status_code == 403
    assert client.get("/admin/reconciliation/").status_code == 403
    client.force_login(staff["auditor"])
    assert client.get("/admin/explain/").status_code == 200
