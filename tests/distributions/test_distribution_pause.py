"""The emergency pause on anvil: `manage.py pause_distributor` stops claims and payouts, holds the
payout batches not yet signed, and after the admin's unpause every account is paid exactly once."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from swap.chain import contracts, outbox
from swap.chain.models import L2Transaction
from swap.distributions.models import PayoutBatch, PayoutItem
from swap.distributions.services import payouts
from swap.models import AuditEvent
from tests.distributions.conftest import SESH
from tests.distributions.test_distribution_flow import (
    ALICE,
    BOB,
    assert_paid_exactly,
    frozen_round,
    publish_and_confirm,
    queued_payouts,
    send_from_helper,
)

pytestmark = [pytest.mark.chain, pytest.mark.django_db]


def pause(reason="round 1 has a wrong root"):
    out = StringIO()
    call_command("pause_distributor", "--reason", reason, stdout=out)
    return out.getvalue()


def unpause_as_admin(l2, deployed):
    """The admin's unpause (in the local deployment the service's signer is also the admin)."""
    outbox.enqueue(
        purpose=L2Transaction.Purpose.ADMIN, subject="test:unpause", to=deployed.distributor, actor="test",
        data=contracts.load_artifact(contracts.DISTRIBUTOR).encode_call("unpause"),
    )
    l2.settle()


def test_a_pause_holds_unsigned_payouts_and_stops_claims_until_the_admin_unpauses(deployed, entitlements, l2, client):
    round_, served, [batch] = queued_payouts(entitlements, l2, client)

    assert "1 unsigned payout batch(es) held" in pause("the bonus inputs of round 1 are wrong")
    batch.refresh_from_db()
    assert batch.status == PayoutBatch.Status.FAILED and batch.transaction.status == L2Transaction.Status.FAILED
    assert not PayoutItem.objects.filter(active=True).exists(), "the held batch's accounts are released"
    event = AuditEvent.objects.get(tag="distributor:pause_requested")
    assert event.data["reason"] == "the bonus inputs of round 1 are wrong"
    assert event.data["held_payout_transactions"] == [batch.transaction_id]
    assert payouts.run_payouts(round_.pk, actor="test") == [], "nothing is batched while the pause is on its way"

    l2.settle()
    assert contracts.is_paused(l2.client, deployed.distributor) is True
    assert payouts.run_payouts(round_.pk, actor="test") == [], "nothing is batched while paused"
    assert send_from_helper(l2, served["distributor"], served["claim_calldata"])["status"] == "0x0"
    assert_paid_exactly(deployed, {ALICE: 0, BOB: 0})

    unpause_as_admin(l2, deployed)
    assert contracts.is_paused(l2.client, deployed.distributor) is False
    assert len(payouts.run_payouts(round_.pk, actor="test")) == 1
    l2.settle()
    assert_paid_exactly(deployed, {ALICE: 4 * SESH, BOB: 6 * SESH})


def test_asking_again_while_a_pause_is_on_its_way_queues_nothing_more(deployed, entitlements, l2):
    entitlements.set(bonus={ALICE: SESH})
    publish_and_confirm(l2, frozen_round())
    assert "pause queued" in pause()
    assert "already on its way" in pause("asked twice")
    pauses = L2Transaction.objects.filter(subject=f"distributor-pause:{deployed.distributor}")
    assert pauses.count() == 1 and AuditEvent.objects.filter(tag="distributor:pause_requested").count() == 1
    l2.settle()
    assert pauses.get().status == L2Transaction.Status.CONFIRMED
    assert contracts.is_paused(l2.client, deployed.distributor) is True


@pytest.mark.parametrize("reason, message", [("   ", "say why"), ("x" * 501, "longer than 500")])
def test_a_pause_needs_a_short_reason(deployed, reason, message):
    with pytest.raises(CommandError, match=message):
        pause(reason)
    assert not L2Transaction.objects.filter(subject__startswith="distributor-pause:").exists()
    assert not AuditEvent.objects.filter(tag="distributor:pause_requested").exists()
