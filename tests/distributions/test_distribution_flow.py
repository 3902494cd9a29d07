"""End to end on anvil: freeze, propose, activate after the delay, claim with a served proof,
cumulative rounds, payouts.

Every test ends with the same check: each account's SESH balance equals its entitlement exactly,
and the distributor holds exactly what it was funded with minus what it paid.
"""

import time

import pytest
from django.utils import timezone

from swap.chain import contracts
from swap.chain.models import L2Transaction
from swap.distributions.exceptions import InsufficientDistributorBalanceError
from swap.distributions.models import DistributionRound, PayoutBatch, RoundStatus
from swap.distributions.services import payouts
from swap.distributions.services.publishing import advance_rounds, propose_round
from swap.distributions.services.rounds import create_round, freeze_round
from swap.distributions.tasks import publish_round_task
from swap.models import AuditEvent
from tests.distributions.conftest import SESH
from tests.distributions.l2 import ACTIVATION_DELAY, HELPER_ADDRESS

pytestmark = [pytest.mark.chain, pytest.mark.django_db]

ALICE = "0x1111111111111111111111111111111111111111"
BOB = "0x2222222222222222222222222222222222222222"
CAROL = "0x3333333333333333333333333333333333333333"
FUNDED = 1_000 * SESH


def balance(address):
    from django.conf import settings

    from swap.chain.client import get_client

    return contracts.token_balance(get_client(), settings.L2_TOKEN_ADDRESS, address)


def assert_paid_exactly(deployed, expected):
    for address, amount in expected.items():
        assert balance(address) == amount, address
    assert balance(deployed.distributor) == FUNDED - sum(expected.values())


def frozen_round():
    round_ = create_round(cutoff=timezone.now(), actor="test")
    return freeze_round(round_.pk, actor="test")


def propose_and_wait(l2, round_):
    """Propose the round, settle the outbox: the round is pending on chain, its delay running."""
    propose_round(round_.pk, actor="test")
    l2.settle()
    round_.refresh_from_db()
    assert round_.status == RoundStatus.PENDING, round_.status
    return round_


def activate(l2, round_):
    """Live through the activation delay on the local chain's clock, let the service activate."""
    l2.advance_time(ACTIVATION_DELAY)
    assert advance_rounds(actor="test").action == "activation_queued"
    l2.settle()
    round_.refresh_from_db()
    assert round_.status == RoundStatus.ACTIVE, round_.status
    return round_


def publish_and_activate(l2, round_):
    """Propose, wait out the delay, activate: the round's root is claimable."""
    return activate(l2, propose_and_wait(l2, round_))


def send_from_helper(l2, to, data):
    tx_hash = l2.rpc("eth_sendTransaction", [{"from": HELPER_ADDRESS, "to": to, "data": data}])
    deadline = time.monotonic() + 10
    while (receipt := l2.rpc("eth_getTransactionReceipt", [tx_hash])) is None:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return receipt


def test_a_holder_claims_through_the_served_proof(deployed, entitlements, l2, client):
    entitlements.set(bonus={ALICE: 100 * SESH, BOB: 50 * SESH}, claims={ALICE: 7})
    round_ = publish_and_activate(l2, frozen_round())
    assert contracts.merkle_root(l2.client, deployed.distributor) == round_.root

    served = client.get(f"/api/v1/proofs/{ALICE.lower()}/").json()
    assert served["round"] == 1 and served["root"] == round_.root and served["claimable"] is True
    assert served["cumulative_atomic"] == str(100 * SESH + 7) and served["claimed_atomic"] == "0"
    receipt = send_from_helper(l2, served["distributor"], served["claim_calldata"])
    assert receipt["status"] == "0x1"
    assert_paid_exactly(deployed, {ALICE: 100 * SESH + 7, BOB: 0})

    again = send_from_helper(l2, served["distributor"], served["claim_calldata"])
    assert again["status"] == "0x0", "a second claim with the same proof pays nothing (NothingToClaim)"
    assert_paid_exactly(deployed, {ALICE: 100 * SESH + 7, BOB: 0})


def test_the_claim_index_reports_what_was_claimed_once_final(deployed, entitlements, l2, client):
    entitlements.set(bonus={ALICE: 5 * SESH})
    publish_and_activate(l2, frozen_round())
    served = client.get(f"/api/v1/proofs/{ALICE}/").json()
    send_from_helper(l2, served["distributor"], served["claim_calldata"])
    l2.mine(3)
    from swap.distributions.services.claim_index import sync_claims

    sync_claims()
    served = client.get(f"/api/v1/proofs/{ALICE}/").json()
    assert served["claimed_atomic"] == str(5 * SESH) and served["claimable"] is False


def test_a_second_cumulative_round_pays_only_the_difference(deployed, entitlements, l2, client):
    entitlements.set(bonus={ALICE: 10 * SESH, BOB: 20 * SESH})
    publish_and_activate(l2, frozen_round())
    first = client.get(f"/api/v1/proofs/{ALICE}/").json()
    send_from_helper(l2, first["distributor"], first["claim_calldata"])
    assert_paid_exactly(deployed, {ALICE: 10 * SESH, BOB: 0})

    entitlements.set(bonus={ALICE: 10 * SESH, BOB: 20 * SESH}, claims={ALICE: 3 * SESH, CAROL: 1})
    second = publish_and_activate(l2, frozen_round())
    assert second.number == 2 and second.total_atomic == 33 * SESH + 1
    stale = send_from_helper(l2, first["distributor"], first["claim_calldata"])
    assert stale["status"] == "0x0", "a proof of the superseded root is refused (InvalidProof)"
    for account in (ALICE, BOB, CAROL):
        served = client.get(f"/api/v1/proofs/{account}/").json()
        assert served["round"] == 2
        send_from_helper(l2, served["distributor"], served["claim_calldata"])
    assert_paid_exactly(deployed, {ALICE: 13 * SESH, BOB: 20 * SESH, CAROL: 1})


def test_payouts_push_batches_to_accounts_that_asked_and_run_twice_pays_once(deployed, entitlements, l2, settings):
    settings.L2_PAYOUT_BATCH_SIZE = 2
    entitlements.set(bonus={ALICE: 1 * SESH, BOB: 2 * SESH, CAROL: 3 * SESH}, claims={BOB: 5})
    round_ = publish_and_activate(l2, frozen_round())
    for account in (ALICE, BOB, CAROL):
        payouts.request_payout(account, requested_by="test")
    batches = payouts.run_payouts(round_.pk, actor="test")
    assert [b.items.count() for b in batches] == [2, 1]
    assert payouts.run_payouts(round_.pk, actor="test") == [], "a second run batches nobody again"
    l2.settle()
    assert set(PayoutBatch.objects.values_list("status", flat=True)) == {PayoutBatch.Status.CONFIRMED}
    assert_paid_exactly(deployed, {ALICE: 1 * SESH, BOB: 2 * SESH + 5, CAROL: 3 * SESH})
    assert AuditEvent.objects.filter(tag="payout:batched").count() == 2
    assert AuditEvent.objects.filter(tag="payout:confirmed").count() == 2


def queued_payouts(entitlements, l2, client):
    """A confirmed round giving Alice 4 and Bob 6 SESH, Alice's served proof, and one payout batch
    for both queued in the outbox, not signed yet. Returns (round, served proof, batches)."""
    entitlements.set(bonus={ALICE: 4 * SESH, BOB: 6 * SESH})
    round_ = publish_and_activate(l2, frozen_round())
    served = client.get(f"/api/v1/proofs/{ALICE}/").json()
    for account in (ALICE, BOB):
        payouts.request_payout(account, requested_by="test")
    return round_, served, payouts.run_payouts(round_.pk, actor="test")


def test_a_payout_racing_a_self_claim_pays_nobody_twice(deployed, entitlements, l2, client):
    _, served, _ = queued_payouts(entitlements, l2, client)
    send_from_helper(l2, served["distributor"], served["claim_calldata"])  # Alice claims herself first
    l2.settle()
    assert PayoutBatch.objects.get().status == PayoutBatch.Status.CONFIRMED
    assert_paid_exactly(deployed, {ALICE: 4 * SESH, BOB: 6 * SESH})


def test_publishing_refuses_when_the_distributor_cannot_cover_what_is_owed(deployed, entitlements, l2):
    entitlements.set(bonus={ALICE: FUNDED}, claims={BOB: 1})
    round_ = frozen_round()
    with pytest.raises(InsufficientDistributorBalanceError, match="owes"):
        publish_round_task.apply(args=[round_.pk])  # not retried: only transient chain errors are
    refusal = AuditEvent.objects.get(tag="round:publish_refused")
    assert refusal.data["owed_atomic"] == str(FUNDED + 1) and refusal.data["balance_atomic"] == str(FUNDED)
    round_.refresh_from_db()
    assert round_.status == RoundStatus.FROZEN and round_.propose_tx is None
    assert not L2Transaction.objects.filter(purpose=L2Transaction.Purpose.PROPOSE_ROOT).exists()


def test_the_coverage_check_counts_only_what_is_still_owed(deployed, entitlements, l2, client):
    entitlements.set(bonus={ALICE: 600 * SESH})
    publish_and_activate(l2, frozen_round())
    served = client.get(f"/api/v1/proofs/{ALICE}/").json()
    send_from_helper(l2, served["distributor"], served["claim_calldata"])
    l2.mine(3)
    # 1,000 funded − 600 paid = 400 left; round 2 owes 700 − 600 + 300 = 400: exactly covered.
    entitlements.set(bonus={ALICE: 700 * SESH, BOB: 300 * SESH})
    second = publish_and_activate(l2, frozen_round())
    assert DistributionRound.objects.get(pk=second.pk).status == RoundStatus.ACTIVE
