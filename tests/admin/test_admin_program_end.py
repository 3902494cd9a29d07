"""On anvil with the real 2-of-3 Safe: the books close at the program's end, to the atomic unit.

The admin scenario's programs (bonus: Alice 20M, Bob 10M of a 30M pool; claims: Carol's credit of
a 30M pool) are published on a distributor funded with both pools, Alice claims, the end is
announced through the Safe, the clock moves past it and the remainder goes to the reward pool
through the outbox. `program_report` (reading the chain) and the admin pages (reading the
database) must then say: pool = paid + withheld + remainder, and who never claimed.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from admin_world import ALICE_SESH, BOB_SESH, CAROL_SESH, POOL, build
from django.core.management import call_command

from swap.chain import admin_actions, contracts
from swap.chain.local import deploy_local_contracts
from swap.core.amounts import format_coins
from swap.core.program_end import MIN_END_NOTICE_SECONDS
from swap.distributions.models import PayoutBatch
from swap.distributions.services.payouts import due_accounts, request_payout, run_payouts
from swap.distributions.tasks import sync_claims_task
from tests.claims.claims_world import make_world
from tests.distributions.l2 import harness
from tests.distributions.test_distribution_flow import publish_and_activate, send_from_helper

pytestmark = [pytest.mark.chain, pytest.mark.django_db]

REWARD_POOL = "0x00000000000000000000000000000000000Fee01"


@pytest.fixture
def l2(scenario_settings, settings, anvil):  # type: ignore[no-untyped-def]
    yield from harness(settings, anvil)


@pytest.fixture
def announced(l2, sim, settings, client):  # type: ignore[no-untyped-def]
    """The scenario published and partly claimed (Alice), the end announced through the Safe."""
    deployment = deploy_local_contracts(supply_atomic=2 * POOL, fund_atomic=2 * POOL)
    settings.L2_TOKEN_ADDRESS = deployment.token
    settings.L2_DISTRIBUTOR_ADDRESS = deployment.distributor
    settings.L2_DISTRIBUTOR_DEPLOY_BLOCK = deployment.deploy_block
    settings.L2_SAFE_ADDRESS = deployment.safe
    settings.PROGRAM_REWARD_POOL_ADDRESS = REWARD_POOL
    scenario = build(make_world(sim), index_claims=False)
    publish_and_activate(l2, scenario.round)
    served = client.get(f"/api/v1/proofs/{scenario.alice_eth}/").json()
    assert send_from_helper(l2, served["distributor"], served["claim_calldata"])["status"] == "0x1"

    l2.mine(settings.L2_CONFIRMATIONS)
    sync_claims_task.apply()  # the claim index: Alice's claim is known to the pages
    now = admin_actions.chain_time(l2.client)
    end = now + MIN_END_NOTICE_SECONDS + 600
    call_command("program_end", "announce", str(end), "--execute", stdout=io.StringIO())
    return scenario, deployment, end


@pytest.fixture
def ended(announced, l2, settings):  # type: ignore[no-untyped-def]
    """… then the end passed, claims closed, the remainder withdrawn to the reward pool."""
    scenario, deployment, end = announced
    l2.advance_time(end - admin_actions.chain_time(l2.client) + 1)
    call_command("program_end", "close", stdout=io.StringIO())
    call_command("withdraw_remainder", "--demo-owners", stdout=io.StringIO())
    l2.settle()
    l2.mine(settings.L2_CONFIRMATIONS)
    sync_claims_task.apply()
    return scenario, deployment


def report(tmp_path) -> tuple[dict, list[list[str]], str]:
    out = io.StringIO()
    call_command("program_report", "--out", str(tmp_path), stdout=out)
    data = json.loads((tmp_path / "program-report.json").read_text())
    rows = list(csv.reader((tmp_path / "unclaimed.csv").read_text().splitlines()))
    return data, rows, out.getvalue()


def test_the_closing_report_balances_to_the_atomic_unit_against_the_chain(ended, l2, tmp_path) -> None:
    scenario, deployment = ended
    data, rows, printed = report(tmp_path)
    closing = data["closing"]
    assert closing["balanced"] is True and "balanced" in printed
    assert (int(closing["pool_atomic"]), int(closing["paid_atomic"]), int(closing["withheld_atomic"]),
            int(closing["remainder_atomic"])) == (2 * POOL, ALICE_SESH, 0, 2 * POOL - ALICE_SESH)
    # The chain, read independently: claimed[account] for everyone in the round, the reward pool's balance.
    entitled = {scenario.alice_eth: ALICE_SESH, scenario.bob_eth: BOB_SESH, scenario.world.holders[-1].eth_address:
                CAROL_SESH}
    claimed = {a: contracts.claimed(l2.client, deployment.distributor, a) for a in entitled}
    assert sum(claimed.values()) == int(closing["paid_atomic"])
    assert contracts.token_balance(l2.client, deployment.token, REWARD_POOL) == int(closing["withdrawn_atomic"])
    assert closing["withdrawal"]["recipient"] == REWARD_POOL
    # The unclaimed: everyone entitled, each row entitled − paid; the totals match the chain.
    assert rows[0] == ["eth_address", "entitled_atomic", "paid_atomic", "unclaimed_atomic", "bonus_unclaimed_atomic",
                       "claims_unclaimed_atomic", "last_activity"]
    by_account = {row[0]: [int(value) for value in row[1:6]] for row in rows[1:]}
    carol = scenario.world.holders[-1].eth_address
    assert by_account == {
        scenario.alice_eth: [ALICE_SESH, ALICE_SESH, 0, 0, 0],
        scenario.bob_eth: [BOB_SESH, 0, BOB_SESH, BOB_SESH, 0],  # all of it the bonus
        carol: [CAROL_SESH, 0, CAROL_SESH, 0, CAROL_SESH],  # all of it the coin claims
    }
    assert all(row[6] for row in rows[1:]), "every account has a last activity"
    unclaimed = data["unclaimed"]
    assert unclaimed["accounts"] == 2 and int(unclaimed["total_atomic"]) == BOB_SESH + CAROL_SESH
    assert unclaimed["paid_matches"] is True and int(unclaimed["paid_atomic"]) == sum(claimed.values())
    assert unclaimed["by_program"] == {
        "bonus": {"entitled_atomic": str(POOL), "paid_atomic": str(ALICE_SESH), "unclaimed_atomic": str(BOB_SESH)},
        "claims": {"entitled_atomic": str(CAROL_SESH), "paid_atomic": "0", "unclaimed_atomic": str(CAROL_SESH)}}
    assert [r["number"] for r in data["rounds"]] == [1] and data["rounds"][0]["activate_tx"].startswith("0x")
    assert "MISMATCH" not in (tmp_path / "program-report.html").read_text()
    assert (tmp_path / "program-report.css").read_text().startswith("/* The closing report")


def test_the_admin_shows_the_same_books_from_the_database(ended, tmp_path, client, staff) -> None:
    data, rows, _ = report(tmp_path)
    client.force_login(staff["auditor"])
    page = client.get("/admin/reconciliation/").content.decode()
    assert "Program end: pool = paid + withheld + remainder" in page and "BALANCED" in page
    assert f'data-figure="overall" data-atomic="{data["closing"]["remainder_atomic"]}"' in page
    admin_report = client.get("/admin/program-report/").content.decode()
    assert data["closing"]["paid_atomic"] in admin_report and "MISMATCH" not in admin_report
    downloaded = client.get("/admin/program-report/unclaimed.csv").content.decode()
    assert list(csv.reader(downloaded.splitlines())) == rows


def test_a_pool_that_does_not_add_up_is_a_red_line_and_a_failed_command(ended, tmp_path, client, staff,
                                                                          settings, capsys) -> None:
    settings.SNB_POOL_ATOMIC = POOL + 1  # the books say one atomic SESH more than the chain ever held
    with pytest.raises(SystemExit) as exit_:
        call_command("program_report", "--out", str(tmp_path), stdout=io.StringIO())
    assert exit_.value.code == 1
    assert capsys.readouterr().err.strip() == "error: the books do not balance: off by 1 atomic SESH"
    assert json.loads((tmp_path / "program-report.json").read_text())["closing"]["balanced"] is False
    client.force_login(staff["auditor"])
    page = client.get("/admin/reconciliation/").content.decode()
    assert "MISMATCH" in page and "(off by 1)" in page


def test_before_the_end_each_account_is_asked_to_claim_before_it(announced, client) -> None:
    scenario, _, end = announced
    proof = client.get(f"/api/v1/proofs/{scenario.bob_eth}/").json()
    assert (proof["program_end"]["closed"], proof["program_end"]["ended"]) == (False, False)
    day = datetime.fromtimestamp(end, UTC).strftime("%Y-%m-%d %H:%M")
    status = client.get("/status/", {"q": scenario.bob_eth}).content.decode()
    assert f"Claim {format_coins(BOB_SESH)} SESH before {day} UTC" in status
    alice = client.get("/status/", {"q": scenario.alice_eth}).content.decode()
    assert "SESH before 2" not in alice  # she claimed everything: no per-account notice
    home = client.get("/").content.decode()
    assert f"The program ends {day} UTC" in home and "Coin claims and registrations close" in home


def test_no_payout_batch_is_queued_once_the_program_is_closed(ended, l2) -> None:
    scenario, _ = ended
    request_payout(scenario.bob_eth, requested_by="web")
    assert due_accounts(scenario.round) == [scenario.bob_eth]
    assert run_payouts(actor="test") == []  # claimMany would revert with ProgramClosed, again and again
    assert not PayoutBatch.objects.exists()


def test_pages_api_and_feed_carry_the_end(ended, client) -> None:
    scenario, _ = ended
    proof = client.get(f"/api/v1/proofs/{scenario.bob_eth}/").json()
    assert proof["program_end"]["closed"] is True and proof["program_end"]["end_time"].endswith("Z")
    assert proof["program_end"]["ended"] is True  # the remainder was withdrawn (the wall clock is behind anvil's)
    rounds = client.get("/api/v1/rounds/").json()
    assert all(r["program_end"] == proof["program_end"] for r in rounds)
    home = client.get("/").content.decode()
    assert 'class="program-end-banner"' in home and "The program ended" in home
    feed = client.get("/announcements.atom")
    assert feed["Content-Type"].startswith("application/atom+xml")
    assert feed.content.decode().count("<entry>") == 1 and "The program ends" in feed.content.decode()
