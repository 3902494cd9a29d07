"""The deposit watcher over real HTTP against the simulated wallet (oxen-wallet-rpc.md §7)."""

from __future__ import annotations

import pytest

from claims.exceptions import WalletRpcTransientError
from claims.models import ClaimCredit, ClaimFlag, ClaimsLedger, Deposit, DepositState, FlagKind, HoldReason
from claims.services.review import release_held
from swap.models import AuditEvent
from tests.claims.claims_world import ACCOUNT, OXEN, World

pytestmark = pytest.mark.django_db
# 300000000/600000001 atomic SESH per atomic OXEN (see claims_world): floor(amount × 3e8 / 600000001).
RATE_NUM, RATE_DEN = 300_000_000, 600_000_001


def sesh(amount: int) -> int:
    return amount * RATE_NUM // RATE_DEN


def test_a_deposit_is_seen_unmined_then_confirmed_then_credited_once(world: World) -> None:
    world.snapshot()
    claim = world.open()
    txid = world.pay(claim, 3 * OXEN, blink=True)  # a blink: listed before it is mined, at height 0

    outcome = world.poll()
    deposit = world.deposit(txid)
    assert (outcome.new, outcome.credited, deposit.state, deposit.height) == (1, 0, DepositState.SEEN, 0)

    world.mine(1)
    world.sim.wallet.mine_transfer(txid)  # mined in the top block: 1 confirmation
    world.poll()
    deposit.refresh_from_db()
    assert (deposit.height, deposit.confirmations, deposit.state) == (100, 1, DepositState.SEEN)

    world.mine(8)  # 9 confirmations: not yet
    assert world.poll().credited == 0
    world.mine(1)  # 10 confirmations
    outcome = world.poll()
    assert (outcome.credited, outcome.credited_sesh_atomic) == (1, sesh(3 * OXEN))
    for _ in range(3):  # and never again
        world.mine(1)
        assert world.poll().credited == 0
    [credit] = world.credits()
    assert (credit.txid, credit.eth_address, credit.sesh_atomic, credit.credited_height) == (
        txid, claim.eth_address, 1_499_999_997, 110)
    assert (credit.rate_num, credit.rate_den) == (RATE_NUM, RATE_DEN)
    assert (credit.multiplier_num, credit.multiplier_den) == (1, 1)
    assert world.deposit(txid).state == DepositState.CREDITED
    assert AuditEvent.objects.filter(tag="claim:credited", subject=f"claim:{claim.pk}").count() == 1
    ledger = ClaimsLedger.objects.get()
    assert (ledger.credited_sesh_atomic, ledger.credited_oxen_atomic, ledger.credit_count) == (1_499_999_997,
                                                                                               3 * OXEN, 1)


def test_outputs_of_one_transaction_are_summed_and_two_claims_paid_by_one_tx_each_get_theirs(world: World) -> None:
    world.snapshot()
    first, second = world.open(), world.open()
    txid = world.sim.wallet.add_transfer([
        (ACCOUNT, first.subaddress.address_index, 2_500_000_000),
        (ACCOUNT, first.subaddress.address_index, 1_000_000_000),  # identical-looking outputs are legitimate
        (ACCOUNT, second.subaddress.address_index, 7 * OXEN),
    ], height=90)
    outcome = world.poll()
    assert outcome.credited == 2
    one, two = (Deposit.objects.get(txid=txid, claim=c) for c in (first, second))
    assert (one.amount_atomic, one.output_count, two.amount_atomic, two.output_count) == (3_500_000_000, 2, 7 * OXEN, 1)
    assert {c.claim_id: c.sesh_atomic for c in world.credits()} == {
        first.pk: sesh(3_500_000_000), second.pk: sesh(7 * OXEN)}


def test_a_deposit_that_disappears_is_never_credited_and_comes_back_if_remined(world: World) -> None:
    world.snapshot()
    claim = world.open()
    txid = world.pay(claim, 2 * OXEN, height=95)  # 5 confirmations
    world.poll()
    world.sim.chain.reorg(95)  # a double spend or a reorg: the wallet forgets it
    outcome = world.poll()
    deposit = world.deposit(txid)
    assert (outcome.vanished, deposit.state, deposit.vanished_at is not None) == (1, DepositState.SEEN, True)
    assert deposit.display_state == "vanished"
    world.mine(20)
    assert world.poll().credited == 0
    assert not ClaimCredit.objects.exists()

    world.pay(claim, 2 * OXEN, txid=txid, height=115)  # re-mined on the new chain
    outcome = world.poll()
    deposit.refresh_from_db()
    assert (outcome.restored, deposit.vanished_at, deposit.height) == (1, None, 115)
    world.mine(10)
    assert world.poll().credited == 1
    assert len(world.credits()) == 1


def test_a_credited_deposit_that_vanishes_raises_an_alert(world: World) -> None:
    world.snapshot()
    claim = world.open()
    txid = world.pay(claim, 2 * OXEN, height=90)  # exactly 10 confirmations
    assert world.poll().credited == 1
    world.sim.chain.reorg(90)  # deeper than the confirmations: should not happen, must be seen
    outcome = world.poll()
    assert (outcome.vanished, outcome.alerts) == (1, 1)
    flag = ClaimFlag.objects.get(kind=FlagKind.CREDITED_VANISHED)
    assert flag.deposit.txid == txid and flag.resolved_at is None
    assert AuditEvent.objects.filter(tag="claim:credited_deposit_vanished").count() == 1
    world.poll()  # the alert is raised once
    assert ClaimFlag.objects.filter(kind=FlagKind.CREDITED_VANISHED).count() == 1
    assert len(world.credits()) == 1  # the credit stands until a person decides


def test_a_transfer_to_an_unknown_subaddress_is_an_orphan_and_flagged(world: World) -> None:
    world.snapshot()
    world.open()
    [stray] = world.sim.wallet.create_address(ACCOUNT, "not from the service")
    txid = world.pay(stray, 5 * OXEN, height=80)
    outcome = world.poll()
    deposit = world.deposit(txid)
    assert (outcome.orphaned, deposit.state, deposit.claim_id) == (1, DepositState.ORPHANED, None)
    flag = ClaimFlag.objects.get(kind=FlagKind.ORPHAN_DEPOSIT)
    assert flag.deposit_id == deposit.pk
    world.mine(5)
    world.poll()
    assert not ClaimCredit.objects.exists()
    assert ClaimFlag.objects.count() == 1


def test_deposits_below_the_minimum_wait_until_the_claim_reaches_it(world: World) -> None:
    world.snapshot()
    claim = world.open()
    small = world.pay(claim, 400_000_000, height=80)
    world.poll()
    assert world.deposit(small).state == DepositState.PENDING_MINIMUM
    second = world.pay(claim, 300_000_000, height=85)
    unconfirmed = world.pay(claim, 500_000_000)  # 1 confirmation: does not count yet
    world.poll()
    assert {world.deposit(t).state for t in (small, second)} == {DepositState.PENDING_MINIMUM}
    assert world.deposit(unconfirmed).state == DepositState.SEEN
    world.mine(9)  # the third is confirmed: 0.4 + 0.3 + 0.5 = 1.2 OXEN ≥ 1
    outcome = world.poll()
    assert outcome.credited == 3
    assert [c.sesh_atomic for c in world.credits()] == [sesh(400_000_000), sesh(300_000_000), sesh(500_000_000)]
    later = world.pay(claim, 1000, height=100)  # once the claim has reached the minimum, any deposit counts
    world.mine(10)
    world.poll()
    assert world.deposit(later).state == DepositState.CREDITED


def test_the_budget_guard_caps_at_the_pool_and_flags_the_rest(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CLAIMS_POOL_ATOMIC = 100 * OXEN
    world.snapshot(emission=50 * OXEN, burned=0, excluded=())  # rate 2
    a, b, c = world.open(), world.open(), world.open()
    world.pay(a, 30 * OXEN, height=80)  # 60 SESH
    crossing = world.pay(b, 20 * OXEN + 1, height=81)  # wants 40 SESH + 2 units; 40 SESH are left
    late = world.pay(c, 5 * OXEN, height=82)
    outcome = world.poll()
    assert outcome.credited == 2
    credits = world.credits()
    assert [(x.sesh_atomic, x.wanted_sesh_atomic, x.capped) for x in credits] == [
        (60 * OXEN, 60 * OXEN, False), (40 * OXEN, 40 * OXEN + 2, True)]
    assert world.deposit(crossing).state == DepositState.CREDITED
    held = world.deposit(late)
    assert (held.state, held.hold_reason) == (DepositState.HELD, HoldReason.BUDGET_EXHAUSTED)
    assert {f.kind for f in ClaimFlag.objects.all()} == {FlagKind.BUDGET_CAPPED, FlagKind.BUDGET_EXHAUSTED}
    assert ClaimsLedger.objects.get().credited_sesh_atomic == 100 * OXEN
    world.pay(a, 3 * OXEN, height=90)  # after that, nothing is credited
    world.poll()
    assert sum(x.sesh_atomic for x in world.credits()) == 100 * OXEN


def test_a_deposit_that_fills_the_pool_exactly_is_not_flagged(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CLAIMS_POOL_ATOMIC = 100 * OXEN
    world.snapshot(emission=50 * OXEN, burned=0, excluded=())
    a, b = world.open(), world.open()
    world.pay(a, 50 * OXEN, height=80)
    world.poll()
    assert [(x.sesh_atomic, x.capped) for x in world.credits()] == [(100 * OXEN, False)]
    assert not ClaimFlag.objects.exists()
    world.pay(b, OXEN, height=85)
    world.poll()
    assert list(ClaimFlag.objects.values_list("kind", flat=True)) == [FlagKind.BUDGET_EXHAUSTED]


def test_a_locked_deposit_is_held_for_review_and_credited_once_released(world: World) -> None:
    world.snapshot()
    claim = world.open()
    txid = world.pay(claim, 2 * OXEN, height=80, unlock_time=5000)
    world.poll()
    deposit = world.deposit(txid)
    assert (deposit.state, deposit.hold_reason, deposit.unlock_time) == (DepositState.HELD, "unlock_time", "5000")
    assert ClaimFlag.objects.get().kind == FlagKind.UNLOCK_TIME
    assert release_held([deposit.pk], actor="user:reviewer") == 1
    assert world.poll().credited == 1


def test_a_wallet_that_is_down_loses_nothing_and_is_polled_again_later(world: World) -> None:
    world.snapshot()
    claim = world.open()
    txid = world.pay(claim, 2 * OXEN, height=80)
    world.sim.wallet_rpc.go_down()
    with pytest.raises(WalletRpcTransientError):
        world.poll()
    world.sim.wallet_rpc.go_up()
    # Busy on the second transfers call, after the height and the first call succeeded.
    world.sim.wallet_rpc.faults.add("error", code=-38, message="No connection to daemon", method="get_transfers",
                                    times=None)
    with pytest.raises(WalletRpcTransientError):
        world.poll()
    assert not Deposit.objects.exists() and not ClaimCredit.objects.exists()
    world.sim.wallet_rpc.faults.clear()
    world.sim.wallet_rpc.faults.add("http", method="get_transfers", times=1)  # one HTTP 500: retried at once
    assert world.poll().credited == 1
    assert world.deposit(txid).state == DepositState.CREDITED


def test_a_narrow_window_still_sees_unmined_deposits_and_old_credits_stay_put(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CLAIMS_SCAN_MARGIN_BLOCKS = 5
    world.snapshot()
    claim = world.open()
    old = world.pay(claim, 2 * OXEN, height=50)
    assert world.poll().credited == 1  # window from 0: the first poll reads everything it waits on
    world.mine(30)  # wallet height 130; the last poll was at 100: blocks mined since are read
    assert world.poll().window_from == 95
    blink = world.pay(claim, OXEN, blink=True)
    outcome = world.poll()
    assert outcome.window_from == 125 and outcome.vanished == 0
    assert world.deposit(blink).state == DepositState.SEEN
    assert world.deposit(old).vanished_at is None  # below the window: not expected, not vanished
