"""Faults on the way to the money: crashes at every outbox step, drops, reorgs, a root changing under
a batch. In every case each account ends with exactly its entitlement, and no job is lost."""

import pytest
from django.utils import timezone

from swap.chain import contracts
from swap.chain.faults import OUTBOX_CHECKPOINTS, SimulatedCrash, crash_at
from swap.chain.local import execute_as_safe
from swap.chain.models import L2Transaction
from swap.chain.tracking import track_transactions
from swap.distributions.models import PayoutBatch, PayoutItem, RoundStatus
from swap.distributions.services import payouts
from swap.distributions.services.publishing import advance_rounds, propose_round
from swap.distributions.services.rounds import create_round, freeze_round
from swap.models import AuditEvent
from tests.distributions.conftest import SESH
from tests.distributions.l2 import ACTIVATION_DELAY, HELPER_ADDRESS
from tests.distributions.test_distribution_flow import (
    ALICE,
    BOB,
    CAROL,
    activate,
    assert_paid_exactly,
    propose_and_wait,
    publish_and_activate,
)

pytestmark = [pytest.mark.chain, pytest.mark.django_db]

ENTITLED = {ALICE: 3 * SESH + 1, BOB: 5 * SESH, CAROL: 7}


def freeze_and_request(entitlements):
    entitlements.set(bonus={ALICE: 3 * SESH, BOB: 5 * SESH}, claims={ALICE: 1, CAROL: 7})
    round_ = freeze_round(create_round(cutoff=timezone.now(), actor="test").pk, actor="test")
    for account in ENTITLED:
        payouts.request_payout(account, requested_by="test")
    return round_


def assert_one_attempt_each():
    for tx in L2Transaction.objects.all():
        assert tx.attempts.count() == 1, f"{tx} was re-signed"
        assert tx.status == L2Transaction.Status.CONFIRMED, tx


@pytest.mark.parametrize("point", OUTBOX_CHECKPOINTS)
def test_a_crash_at_any_step_of_publishing_and_paying_pays_each_account_exactly_once(
    deployed, entitlements, l2, point
):
    round_ = freeze_and_request(entitlements)
    propose_round(round_.pk, actor="test")
    with crash_at(point) as crashed, pytest.raises(SimulatedCrash):
        l2.settle()
    assert crashed
    l2.settle()  # the restarted worker's passes
    round_.refresh_from_db()
    assert round_.status == RoundStatus.PENDING

    l2.advance_time(ACTIVATION_DELAY)
    assert advance_rounds(actor="test").action == "activation_queued"
    with crash_at(point) as crashed, pytest.raises(SimulatedCrash):
        l2.settle()
    assert crashed
    l2.settle()
    round_.refresh_from_db()
    assert round_.status == RoundStatus.ACTIVE

    payouts.run_payouts(round_.pk, actor="test")
    with crash_at(point) as crashed, pytest.raises(SimulatedCrash):
        l2.settle()
    assert crashed
    assert payouts.run_payouts(round_.pk, actor="test") == [], "a re-run after the crash batches nobody twice"
    l2.settle()
    assert_paid_exactly(deployed, ENTITLED)
    assert_one_attempt_each()
    assert PayoutBatch.objects.get().status == PayoutBatch.Status.CONFIRMED
    assert AuditEvent.objects.filter(tag="round:pending").count() == 1
    assert AuditEvent.objects.filter(tag="round:active").count() == 1


def test_a_dropped_payout_is_sent_again_and_pays_once(deployed, entitlements, l2):
    round_ = publish_and_activate(l2, freeze_and_request(entitlements))
    l2.automine(False)
    payouts.run_payouts(round_.pk, actor="test")
    track_transactions()
    batch_tx = PayoutBatch.objects.get().transaction
    batch_tx.refresh_from_db()
    assert batch_tx.status == L2Transaction.Status.BROADCAST
    l2.rpc("anvil_dropTransaction", [batch_tx.attempts.get().tx_hash])
    l2.automine(True)
    l2.settle()
    assert_paid_exactly(deployed, ENTITLED)
    assert AuditEvent.objects.filter(tag="l2tx:rebroadcast", subject=f"l2tx:{batch_tx.pk}").exists()


@pytest.mark.parametrize("purpose", ["propose_root", "activate_root", "payout_batch"])
def test_a_reorg_under_a_mined_transaction_is_detected_and_pays_exactly_once(deployed, entitlements, l2, purpose):
    round_ = freeze_and_request(entitlements)
    propose_round(round_.pk, actor="test")
    if purpose != "propose_root":
        l2.settle()
        l2.advance_time(ACTIVATION_DELAY)
        advance_rounds(actor="test")
    if purpose == "payout_batch":
        l2.settle()
        payouts.run_payouts(round_.pk, actor="test")
    tx = L2Transaction.objects.get(purpose=purpose)
    l2.drive(lambda: L2Transaction.objects.get(pk=tx.pk).status == L2Transaction.Status.MINED, mine=False)
    l2.rpc("anvil_reorg", [1, []])  # its block is replaced by an empty one
    track_transactions()
    assert AuditEvent.objects.filter(tag="l2tx:reorged", subject=f"l2tx:{tx.pk}").exists()
    l2.settle()
    round_.refresh_from_db()
    if purpose == "propose_root":
        assert round_.status == RoundStatus.PENDING
        round_ = activate(l2, round_)
    assert round_.status == RoundStatus.ACTIVE
    if purpose != "payout_batch":
        payouts.run_payouts(round_.pk, actor="test")
        l2.settle()
    assert_paid_exactly(deployed, ENTITLED)


def test_a_reverted_batch_releases_its_accounts_and_the_next_run_pays_them(deployed, entitlements, l2):
    round_ = publish_and_activate(l2, freeze_and_request(entitlements))
    # The Safe's owners make anvil #0 a pauser too.
    execute_as_safe(l2.client, deployed.safe, to=deployed.distributor,
                    data=contracts.grant_role_data(contracts.PAUSER_ROLE, HELPER_ADDRESS))
    l2.automine(False)
    payouts.run_payouts(round_.pk, actor="test")
    track_transactions()  # estimated, signed and broadcast while unpaused
    pause = contracts.load_artifact(contracts.DISTRIBUTOR).encode_call("pause")
    l2.rpc("eth_sendTransaction", [{"from": HELPER_ADDRESS, "to": deployed.distributor, "data": pause,
                                    "maxPriorityFeePerGas": hex(50 * 10**9), "maxFeePerGas": hex(100 * 10**9)}])
    l2.automine(True)
    l2.mine()  # the pause (higher tip) lands first in the block: the batch reverts
    l2.settle()
    batch = PayoutBatch.objects.get()
    assert batch.transaction.status == L2Transaction.Status.REVERTED
    assert batch.status == PayoutBatch.Status.FAILED
    assert not PayoutItem.objects.filter(active=True).exists()
    assert_paid_exactly(deployed, dict.fromkeys(ENTITLED, 0))

    execute_as_safe(l2.client, deployed.safe, to=deployed.distributor, data=contracts.unpause_data())
    payouts.run_payouts(round_.pk, actor="test")
    l2.settle()
    assert_paid_exactly(deployed, ENTITLED)


def test_no_batch_is_made_for_a_root_about_to_be_replaced(deployed, entitlements, l2):
    round_ = publish_and_activate(l2, freeze_and_request(entitlements))
    entitlements.set(bonus={ALICE: 3 * SESH, BOB: 5 * SESH}, claims={ALICE: 2, CAROL: 8})
    second = freeze_round(create_round(cutoff=timezone.now(), actor="test").pk, actor="test")
    propose_round(second.pk, actor="test")
    assert payouts.run_payouts(round_.pk, actor="test") == [], "round 2's root is being proposed"
    second = activate(l2, propose_and_wait(l2, second))  # its activation starts its payouts
    payouts.run_payouts(second.pk, actor="test")
    l2.settle()
    assert_paid_exactly(deployed, {ALICE: 3 * SESH + 2, BOB: 5 * SESH, CAROL: 8})


def test_the_active_root_keeps_paying_while_the_next_one_waits_out_its_delay(deployed, entitlements, l2):
    round_ = publish_and_activate(l2, freeze_and_request(entitlements))
    entitlements.set(bonus={ALICE: 3 * SESH, BOB: 5 * SESH}, claims={ALICE: 2, CAROL: 8})
    second = propose_and_wait(l2, freeze_round(create_round(cutoff=timezone.now(), actor="test").pk, actor="test"))
    assert len(payouts.run_payouts(round_.pk, actor="test")) == 1
    l2.settle()
    assert_paid_exactly(deployed, ENTITLED)
    activate(l2, second)
    payouts.run_payouts(second.pk, actor="test")
    l2.settle()
    assert_paid_exactly(deployed, {ALICE: 3 * SESH + 2, BOB: 5 * SESH, CAROL: 8})


def test_publishing_the_same_round_twice_sends_one_transaction(deployed, entitlements, l2):
    round_ = freeze_and_request(entitlements)
    propose_round(round_.pk, actor="test")
    propose_round(round_.pk, actor="test")
    assert L2Transaction.objects.filter(purpose="propose_root").count() == 1
    l2.settle()
    assert AuditEvent.objects.filter(tag="round:proposed").count() == 1
