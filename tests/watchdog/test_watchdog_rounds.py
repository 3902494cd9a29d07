"""On anvil, the service's own rounds under the watchdog: honest ones pass untouched, a tampered one is vetoed.

The rounds go the service's whole way (freeze, propose through the outbox, wait out the delay,
activate, claim); the watchdog runs between the steps as it would on its schedule.
"""

import hashlib

import pytest
from django.db import connection
from watchdog_world import FUNDED, balance, state, tree, watch

from swap.chain import contracts
from swap.distributions.models import RoundStatus
from swap.distributions.services.publishing import advance_rounds
from swap.models import AuditEvent
from swap.watchdog.models import Alert, ClaimCheck, ProposalCheck, RootActivation, Verdict
from tests.distributions.conftest import SESH
from tests.distributions.test_distribution_flow import (
    ALICE,
    BOB,
    CAROL,
    activate,
    frozen_round,
    propose_and_wait,
    send_from_helper,
)

pytestmark = [pytest.mark.chain, pytest.mark.django_db]


def claim_served(l2, client, account):
    served = client.get(f"/api/v1/proofs/{account}/").json()
    return send_from_helper(l2, served["distributor"], served["claim_calldata"])


def test_honest_rounds_and_their_claims_pass_without_a_veto_a_pause_or_an_alert(deployed, entitlements, l2, client):
    entitlements.set(bonus={ALICE: 10 * SESH, BOB: 20 * SESH})
    first = propose_and_wait(l2, frozen_round())
    report = watch()
    assert (report.proposals_judged, report.root_mismatches) == (1, 0)
    check = ProposalCheck.objects.get()
    assert check.verdict == Verdict.OK and check.reasons == []
    assert [r["source"] for r in check.figures["rebuilt"]] == ["the round record", "the frozen entries",
                                                                "the published dump"]
    assert (check.figures["balance_atomic"], check.figures["paid_atomic"]) == (str(FUNDED), "0")
    assert AuditEvent.objects.get(tag="watchdog:root_checked").data["root"] == first.root

    activate(l2, first)
    assert claim_served(l2, client, ALICE)["status"] == "0x1"
    l2.mine(3)
    report = watch()
    assert (report.claims_checked, report.claim_mismatches) == (1, 0)
    assert RootActivation.objects.get().root == first.root

    entitlements.set(bonus={ALICE: 10 * SESH, BOB: 20 * SESH}, claims={ALICE: 3 * SESH, CAROL: 1})
    second = propose_and_wait(l2, frozen_round())
    watch()  # paid 10 so far: 990 held + 10 paid covers the cumulative 33 SESH + 1
    activate(l2, second)
    for account in (ALICE, BOB, CAROL):
        assert claim_served(l2, client, account)["status"] == "0x1"
    l2.mine(3)
    watch()

    assert list(ProposalCheck.objects.values_list("verdict", flat=True)) == [Verdict.OK, Verdict.OK]
    second_check = ProposalCheck.objects.get(round_id=2)
    assert (second_check.figures["balance_atomic"], second_check.figures["paid_atomic"]) == (
        str(FUNDED - 10 * SESH), str(10 * SESH))
    assert [(c.eth_address, c.round_id, c.entitled_atomic) for c in ClaimCheck.objects.order_by("block_number")] == [
        (ALICE, 1, 10 * SESH), (ALICE, 2, 13 * SESH), (BOB, 2, 20 * SESH), (CAROL, 2, 1)]
    assert set(ClaimCheck.objects.values_list("verdict", flat=True)) == {Verdict.OK}
    assert not Alert.objects.exists() and not state().paused
    assert balance(deployed.distributor) == FUNDED - 33 * SESH - 1


def rewrite_dump(round_, text):
    """A fault, not a service: someone with database rights rewrites a frozen round's published dump."""
    disable_guard = {
        "sqlite": "DROP TRIGGER distributions_dump_immutable",
        "postgresql": "SET LOCAL session_replication_role = replica",  # a superuser skips every trigger
    }[connection.vendor]
    with connection.cursor() as cursor:
        cursor.execute(disable_guard)
        cursor.execute("UPDATE distributions_rounddump SET text = %s, sha256 = %s WHERE round_id = %s",
                       [text, hashlib.sha256(text.encode()).hexdigest(), round_.pk])
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


def test_a_round_whose_published_dump_disagrees_with_its_entries_is_vetoed(deployed, entitlements, l2):
    entitlements.set(bonus={ALICE: 10 * SESH, BOB: 20 * SESH})
    round_ = frozen_round()
    forged = tree({ALICE: 10 * SESH, BOB: 21 * SESH})
    rewrite_dump(round_, forged.dumps())
    propose_and_wait(l2, round_)  # the service proposes its (right) root; what it publishes says otherwise

    report = watch()
    assert report.vetoed == (round_.root,) and state().paused
    check = ProposalCheck.objects.get()
    assert check.reasons == [
        f"the published dump hashes to sha256 {hashlib.sha256(forged.dumps().encode()).hexdigest()}, but round 1 "
        f"froze {round_.dump_sha256}",
        f"root of the published dump: {forged.root_hex}; the proposal says {round_.root}",
        f"total of the published dump: {31 * SESH}; the proposal says {30 * SESH}",
    ]
    assert advance_rounds(actor="test").action == "vetoed"
    round_.refresh_from_db()
    assert round_.status == RoundStatus.VETOED
    assert contracts.is_vetoed(l2.client, deployed.distributor, round_.root)
