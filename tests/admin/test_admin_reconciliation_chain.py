"""On anvil: a holder claims from the distributor, the claim index task stores the event, the page shows it.

The scenario of admin_world.py is frozen by the real programs' sources, published through the
outbox to a real `SwapDistributor`, and Alice claims with the proof the API serves. Nothing is
written to `ClaimEvent` by the test: the beat task `sync_claims_task` reads the `Claimed` event.
"""

from __future__ import annotations

import pytest
from admin_world import ALICE_SESH, BOB_SESH, CAROL_SESH, POOL, build

from swap.chain.local import deploy_local_contracts
from swap.distributions.tasks import sync_claims_task
from swap.overview.reconciliation import reconcile
from tests.claims.claims_world import make_world
from tests.distributions.l2 import harness
from tests.distributions.test_distribution_flow import publish_and_activate, send_from_helper

pytestmark = [pytest.mark.chain, pytest.mark.django_db]


@pytest.fixture
def l2(scenario_settings, settings, anvil):  # type: ignore[no-untyped-def]
    """The session's anvil as the L2, set after (and over) the scenario's own chain settings."""
    yield from harness(settings, anvil)


def test_a_claim_on_chain_reaches_the_page_through_the_claim_index_task(l2, sim, settings, client, staff) -> None:
    deployment = deploy_local_contracts(supply_atomic=2 * POOL, fund_atomic=POOL + CAROL_SESH)
    settings.L2_TOKEN_ADDRESS = deployment.token
    settings.L2_DISTRIBUTOR_ADDRESS = deployment.distributor
    settings.L2_DISTRIBUTOR_DEPLOY_BLOCK = deployment.deploy_block
    settings.L2_SAFE_ADDRESS = deployment.safe
    scenario = build(make_world(sim), index_claims=False)
    publish_and_activate(l2, scenario.round)

    served = client.get(f"/api/v1/proofs/{scenario.alice_eth}/").json()
    assert send_from_helper(l2, served["distributor"], served["claim_calldata"])["status"] == "0x1"
    assert reconcile().on_chain.claimed_total == 0, "nothing is read from the chain by the page itself"
    l2.mine(settings.L2_CONFIRMATIONS)
    sync_claims_task.apply()

    books = reconcile()
    assert books.ok, [check.detail for check in books.mismatches]
    assert (books.on_chain.claimed_total, books.on_chain.accounts) == (ALICE_SESH, 1)
    bonus, claims = books.programs
    assert (bonus.claimed.value, bonus.outstanding) == (ALICE_SESH, BOB_SESH)
    assert (claims.claimed.value, claims.outstanding) == (0, CAROL_SESH)
    client.force_login(staff["auditor"])
    html = client.get("/admin/reconciliation/").content.decode()
    assert "BALANCED" in html and f"read up to block {books.on_chain.indexed_to_block}" in html
