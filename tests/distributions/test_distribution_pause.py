"""The emergency pause on anvil: `manage.py pause_distributor` (the guardian's key) stops claims and
payouts, holds the payout batches not yet signed, and after the Safe's unpause every account is paid
exactly once."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from swap.chain import contracts
from swap.chain.local import execute_as_safe
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
    publish_and_activate,
    queued_payouts,
    send_from_helper,
)

pytestmark = [pytest.mark.chain, pytest.mark.django_db]


def pause(reason="round 1 has a wrong root"):
    out = StringIO()
    call_command("pause_distributor", "--reason", reason, stdout=out)
    return out.getvalue()


def unpause_as_admin(l2, deployed):
    """The admin's unpause: a Safe transaction signed by two of its three owners."""
    execute_as_safe(l2.client, deployed.safe, to=deployed.distributor, data=contracts.unpause_data())


def test_a_pause_holds_unsigned_payouts_and_stops_claims_until_the_admin_unpauses(deployed, entitlements, l2, client):
    round_, served, [batch] = queued_payouts(entitlements, l2, client)

    assert "1 unsigned payout batch(es) held" in pause("the bonus inputs of round 1 are wrong")
    batch.refresh_from_db()
    assert batch.status == PayoutBatch.Status.FAILED and batch.transaction.status == L2Transaction.Status.FAILED
    assert not PayoutItem.objects.filter(active=True).exists(), "the held batch's accounts are released"
    event = AuditEvent.objects.get(tag="distributor:paused")
    assert event.data["reason"] == "the bonus inputs of round 1 are wrong"
    assert event.data["held_payout_transactions"] == [batch.transaction_id]
    assert contracts.is_paused(l2.client, deployed.distributor) is True
    assert payouts.run_payouts(round_.pk, actor="test") == [], "nothing is batched while paused"
    assert send_from_helper(l2, served["distributor"], served["claim_calldata"])["status"] == "0x0"
    assert_paid_exactly(deployed, {ALICE: 0, BOB: 0})

    unpause_as_admin(l2, deployed)
    assert contracts.is_paused(l2.client, deployed.distributor) is False
    assert len(payouts.run_payouts(round_.pk, actor="test")) == 1
    l2.settle()
    assert_paid_exactly(deployed, {ALICE: 4 * SESH, BOB: 6 * SESH})


def test_pausing_again_sends_nothing_more(deployed, entitlements, l2):
    entitlements.set(bonus={ALICE: SESH})
    publish_and_activate(l2, frozen_round())
    assert "paused in 0x" in pause()
    assert "already paused" in pause("asked twice")
    events = AuditEvent.objects.filter(tag="distributor:paused").order_by("id")
    assert [e.data["already_paused"] for e in events] == [False, True]
    assert contracts.is_paused(l2.client, deployed.distributor) is True


def test_the_pause_comes_from_the_guardian_and_never_from_the_publisher(deployed, entitlements, l2, settings):
    entitlements.set(bonus={ALICE: SESH})
    publish_and_activate(l2, frozen_round())
    settings.WATCHDOG_SIGNER_KEY = settings.L2_SIGNER_KEY  # an operator pastes the wrong key
    with pytest.raises(CommandError, match="AccessControlUnauthorizedAccount"):
        pause("wrong key")
    assert contracts.is_paused(l2.client, deployed.distributor) is False
    assert not AuditEvent.objects.filter(tag="distributor:paused").exists()


@pytest.mark.parametrize("reason, message", [("   ", "say why"), ("x" * 501, "longer than 500")])
def test_a_pause_needs_a_short_reason(deployed, reason, message):
    with pytest.raises(CommandError, match=message):
        pause(reason)
    assert contracts.is_paused(deployed_client(), deployed.distributor) is False
    assert not AuditEvent.objects.filter(tag="distributor:paused").exists()


def deployed_client():
    from swap.chain.client import get_client

    return get_client()
