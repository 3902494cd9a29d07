"""On anvil, with the publisher's real key in a thief's hands: what the watchdog stops, and what it cannot.

(a) a root paying the thief everything: no claim during the delay, vetoed within one pass, never
activated, nothing lost; (b) the watchdog down for the whole delay: the root activates, the
stale-heartbeat alert fires, the guardian's pause still stops every claim; (d) a proposal that
matches the database but exceeds what the distributor can pay: vetoed. Every test ends with the
distributor's SESH counted to the atomic unit.
"""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone
from watchdog_world import (
    FUNDED,
    MALLORY,
    THIEF,
    balance,
    claim,
    propose_tree_with_stolen_key,
    propose_with_stolen_key,
    records,
    send_as_anyone,
    state,
    tree,
    watch,
)

from swap.chain import contracts
from swap.chain.client import get_client
from swap.chain.direct import DirectTransactionReverted
from swap.chain.local import execute_as_safe
from swap.distributions.services.rounds import create_round
from swap.models import AuditEvent
from swap.watchdog.models import Alert, AlertKind, ClaimCheck, ProposalCheck, Verdict, WatchCursor
from swap.watchdog.tasks import check_heartbeat_task
from tests.distributions.conftest import SESH
from tests.distributions.l2 import ACTIVATION_DELAY
from tests.distributions.test_distribution_flow import ALICE, BOB, frozen_round

pytestmark = [pytest.mark.chain, pytest.mark.django_db]


def test_a_root_paying_the_thief_everything_is_vetoed_within_one_pass_and_nothing_is_lost(
    deployed, entitlements, l2
):
    entitlements.set(bonus={ALICE: 10 * SESH, BOB: 20 * SESH})
    honest = frozen_round()
    watch()  # the watchdog is up and has read the chain so far
    stolen = tree({THIEF: FUNDED})
    propose_tree_with_stolen_key(stolen)
    assert state().pending_root == stolen.root_hex

    assert claim(l2, stolen, THIEF)["status"] == "0x0", "during the delay nothing is claimable (NoRoot)"

    report = watch()
    assert report.vetoed == (stolen.root_hex,) and report.paused_tx_hash
    after = state()
    assert not after.has_pending and after.paused
    assert contracts.is_vetoed(l2.client, deployed.distributor, stolen.root_hex)
    check = ProposalCheck.objects.get(root=stolen.root_hex)
    assert check.verdict == Verdict.MISMATCH and check.vetoed_tx_hash and check.responded_at
    for source, (right, wrong) in {
        "the round record": (honest.root, stolen.root_hex), "the frozen entries": (honest.root, stolen.root_hex),
        "the published dump": (honest.root, stolen.root_hex),
    }.items():
        assert f"root of {source}: {right}; the proposal says {wrong}" in check.reasons
        assert f"total of {source}: {30 * SESH}; the proposal says {FUNDED}" in check.reasons
        assert f"accounts of {source}: 2; the proposal says 1" in check.reasons
    assert len(check.reasons) == 9, "the thief's total is covered: no coverage finding"
    alert = Alert.objects.get(kind=AlertKind.ROOT_MISMATCH)
    assert alert.is_open and alert.message.startswith(f"round 1 root {stolen.root_hex}: root of the round record")
    assert AuditEvent.objects.filter(tag="watchdog:root_mismatch", subject="round:1").count() == 1
    assert AuditEvent.objects.get(tag="watchdog:root_vetoed").data["tx_hash"] == check.vetoed_tx_hash
    assert AuditEvent.objects.get(tag="watchdog:distributor_paused").data["tx_hash"] == report.paused_tx_hash

    l2.advance_time(ACTIVATION_DELAY + 1)
    with pytest.raises(DirectTransactionReverted, match=r"^EnforcedPause\(\)"):
        send_as_anyone(contracts.activate_root_data())
    # Even once the Safe's owners unpause, the vetoed root stays dead: it is not pending, and can never return.
    execute_as_safe(l2.client, deployed.safe, to=deployed.distributor, data=contracts.unpause_data())
    with pytest.raises(DirectTransactionReverted, match=r"^NothingPending\(\)"):
        send_as_anyone(contracts.activate_root_data())
    with pytest.raises(DirectTransactionReverted, match=r"^RootWasVetoed\("):
        propose_tree_with_stolen_key(stolen)
    assert claim(l2, stolen, THIEF)["status"] == "0x0"
    assert balance(THIEF) == 0 and balance(deployed.distributor) == FUNDED, "SESH lost: 0"


def test_a_second_pass_does_nothing_twice(deployed, entitlements, l2):
    entitlements.set(bonus={ALICE: 10 * SESH})
    frozen_round()
    propose_tree_with_stolen_key(tree({THIEF: FUNDED}))
    l2.mine(3)  # the proposal is final: the log scan finds it as well as the pending-state read
    watch()
    before = records()
    again = watch()
    assert (again.proposals_judged, again.root_mismatches, again.vetoed, again.paused_tx_hash) == (0, 0, (), "")
    assert records() == before, "no event, alert, check or transaction the second time"
    check = ProposalCheck.objects.get()
    assert check.tx_hash and check.block_number and check.source == ProposalCheck.Source.LOG
    assert WatchCursor.objects.get().passes == 2


def test_a_proposal_with_no_frozen_round_behind_it_is_vetoed(deployed, entitlements, l2):
    entitlements.set(bonus={ALICE: 10 * SESH})
    create_round(cutoff=timezone.now(), actor="test")  # round 1 is only a draft: nothing was decided
    stolen = tree({ALICE: 10 * SESH})
    propose_tree_with_stolen_key(stolen)
    watch()
    check = ProposalCheck.objects.get()
    assert check.reasons == ["no frozen round 1 in the database: the service never decided this root"]
    assert contracts.is_vetoed(l2.client, deployed.distributor, stolen.root_hex) and state().paused


def test_a_proposal_the_distributor_cannot_pay_is_vetoed(deployed, entitlements, l2):
    """(d) The database froze it and the dump agrees, but the distributor holds 1 atomic SESH too little."""
    entitlements.set(bonus={ALICE: FUNDED}, claims={BOB: 1})
    round_ = frozen_round()
    propose_with_stolen_key(round_.root, 1, round_.total_atomic, round_.count)  # the service itself would refuse
    report = watch()
    check = ProposalCheck.objects.get()
    [finding] = check.reasons
    assert finding.startswith("coverage: at block ") and finding.endswith(
        f"the distributor holds {FUNDED} and has paid 0, {FUNDED} in all, less than the declared total "
        f"{FUNDED + 1} (short by 1)"
    )
    assert report.vetoed == (round_.root,) and state().paused
    assert balance(deployed.distributor) == FUNDED


def test_with_the_watchdog_down_the_root_activates_the_heartbeat_alert_fires_and_the_pause_stops_every_claim(
    deployed, entitlements, l2
):
    """(b) The residual risk: nothing vetoes while the watchdog is down; the guardian's pause is the backstop."""
    entitlements.set(bonus={ALICE: 10 * SESH})
    frozen_round()
    watch()  # its last pass, just before it goes down
    stolen = tree({THIEF: FUNDED - 10 * SESH, ALICE: 10 * SESH})
    propose_tree_with_stolen_key(stolen)
    l2.advance_time(ACTIVATION_DELAY)
    WatchCursor.objects.update(last_pass_at=F("last_pass_at") - timedelta(seconds=ACTIVATION_DELAY))  # same hour
    send_as_anyone(contracts.activate_root_data())
    assert contracts.merkle_root(l2.client, deployed.distributor) == stolen.root_hex, "the thief's root is active"

    check_heartbeat_task.apply()
    check_heartbeat_task.apply()
    stale = Alert.objects.get(kind=AlertKind.HEARTBEAT_STALE)
    assert stale.is_open and re.search(r"last completed pass was 36\d\d s ago", stale.message)
    assert AuditEvent.objects.filter(tag="watchdog:alert_raised").count() == 1, "once while it stays stale"

    out = StringIO()
    call_command("pause_distributor", "--reason", "watchdog down and an unknown root is active", stdout=out)
    assert out.getvalue().startswith("paused in 0x")
    for account in (THIEF, ALICE):
        assert claim(l2, stolen, account)["status"] == "0x0", account
    assert balance(deployed.distributor) == FUNDED and balance(THIEF) == 0

    report = watch()  # back up: it sees what happened, and does not pause twice
    assert report.root_mismatches == 1 and report.vetoed == () and report.paused_tx_hash == ""
    check = ProposalCheck.objects.get(root=stolen.root_hex)
    assert check.response == "not pending any more: nothing to veto; the distributor was already paused"


def test_claims_above_the_frozen_entitlement_pause_the_distributor(deployed, entitlements, l2):
    """A root the database never froze went active while the watchdog was down; its claims are caught."""
    entitlements.set(bonus={ALICE: 10 * SESH, THIEF: 5 * SESH})
    frozen_round()
    stolen = tree({THIEF: 900 * SESH, MALLORY: 50 * SESH})
    propose_tree_with_stolen_key(stolen)
    l2.advance_time(ACTIVATION_DELAY)
    send_as_anyone(contracts.activate_root_data())
    assert claim(l2, stolen, THIEF)["status"] == "0x1"
    assert claim(l2, stolen, MALLORY)["status"] == "0x1"
    l2.mine(3)

    report = watch()
    assert (report.claims_checked, report.claim_mismatches) == (2, 2) and report.paused_tx_hash
    thief, mallory = (ClaimCheck.objects.get(eth_address=a) for a in (THIEF, MALLORY))
    assert thief.reason == (f"{THIEF} was paid up to {900 * SESH}, above its frozen entitlement {5 * SESH} in round 1 "
                            f"(by {895 * SESH})")
    assert mallory.reason == f"{MALLORY} was paid up to {50 * SESH} but has no entry in round 1"
    assert (thief.round_id, thief.entitled_atomic, mallory.entitled_atomic) == (1, 5 * SESH, None)
    kinds = sorted(Alert.objects.values_list("kind", flat=True))
    assert kinds == [AlertKind.CLAIM_MISMATCH, AlertKind.CLAIM_MISMATCH, AlertKind.ROOT_MISMATCH]
    assert AuditEvent.objects.filter(tag="watchdog:distributor_paused").count() == 1
    assert state().paused and claim(l2, stolen, THIEF)["status"] == "0x0"
    # What the watchdog cannot undo: paid while it was down.
    assert balance(deployed.distributor) == FUNDED - 950 * SESH
    before = records()
    watch()
    assert records() == before


def test_a_veto_that_lost_its_race_is_fine(deployed, entitlements, l2):
    from swap.chain.signer import load_guardian
    from swap.watchdog.services.responding import _veto

    stolen = tree({THIEF: FUNDED})
    propose_tree_with_stolen_key(stolen)
    guardian = load_guardian()
    assert _veto(get_client(), guardian, deployed.distributor, stolen.root_hex).startswith("0x")
    assert _veto(get_client(), guardian, deployed.distributor, stolen.root_hex) == "", "NotPending: already done"


def test_a_root_vetoed_before_the_watchdog_judged_it_is_alerted_but_needs_no_pause(deployed, entitlements, l2):
    from swap.chain.signer import load_guardian
    from swap.watchdog.services.responding import _veto

    stolen = tree({THIEF: FUNDED})
    propose_tree_with_stolen_key(stolen)
    _veto(get_client(), load_guardian(), deployed.distributor, stolen.root_hex)  # a person was faster
    l2.mine(3)
    report = watch()
    assert (report.root_mismatches, report.vetoed, report.paused_tx_hash) == (1, (), "")
    check = ProposalCheck.objects.get()
    assert check.response == "vetoed on chain before the watchdog judged it: nothing to do"
    assert Alert.objects.get().kind == AlertKind.ROOT_MISMATCH and not state().paused
