"""The outbox on a real node: every step, every crash between steps, drops, stuck fees and reorgs.

Plain value transfers to a fresh address stand in for contract calls here (the distribution tests
do the same with the real contracts): the receiver's balance shows exactly how many times the
transaction took effect, so "exactly once" is a balance equality, not a guess. They pass the
signing policy through the `transfers_to` fixture (tests/conftest.py), which says why.
"""

import pytest
from django.db import transaction

from swap.chain import outbox
from swap.chain.faults import OUTBOX_CHECKPOINTS, SimulatedCrash, crash_at
from swap.chain.models import ChainAccount, L2Transaction
from swap.chain.signals import transaction_finalized
from swap.chain.tracking import track_transactions
from swap.core.eth_address import normalize_eth_address
from swap.models import AuditEvent
from tests.distributions.l2 import HELPER_ADDRESS, SERVICE_ADDRESS, harness

pytestmark = [pytest.mark.chain, pytest.mark.django_db]

RECEIVER = "0x00000000000000000000000000000000000c0ffe"
Status = L2Transaction.Status
# Creation code of a contract whose every call reverts: runtime 60006000fd = REVERT(0, 0).
ALWAYS_REVERTS_INIT = "0x6005600c60003960056000f3" + "60006000fd"


@pytest.fixture
def l2(settings, anvil, transfers_to):
    transfers_to.update({normalize_eth_address(RECEIVER), HELPER_ADDRESS})
    yield from harness(settings, anvil)


def enqueue_transfer(value: int, *, to: str = RECEIVER, gas_limit: int = 21000) -> L2Transaction:
    with transaction.atomic():
        return outbox.enqueue(
            purpose="other", subject="test", to=to, data="0x", value_wei=value, actor="test", gas_limit=gas_limit
        )


def fresh(tx: L2Transaction) -> L2Transaction:
    return L2Transaction.objects.get(pk=tx.pk)


def tags_of(tx: L2Transaction) -> list[str]:
    return list(AuditEvent.objects.filter(subject=f"l2tx:{tx.pk}").order_by("id").values_list("tag", flat=True))


def test_a_transfer_goes_from_queue_to_confirmed_with_an_audit_event_per_step(l2):
    tx = enqueue_transfer(7)
    l2.drive(lambda: fresh(tx).status == Status.CONFIRMED)
    tx = fresh(tx)
    assert l2.eth_balance(RECEIVER) == 7
    assert tags_of(tx) == ["l2tx:queued", "l2tx:signed", "l2tx:broadcast", "l2tx:mined", "l2tx:confirmed"]
    assert tx.sender == SERVICE_ADDRESS and tx.nonce == 0 and tx.attempts.count() == 1
    assert tx.tx_hash == tx.attempts.get().tx_hash
    assert l2.client.get_block(tx.block_number)["hash"] == tx.block_hash


def test_it_confirms_only_at_the_configured_depth(l2, settings):
    settings.L2_CONFIRMATIONS = 4
    tx = enqueue_transfer(1)
    track_transactions()
    l2.drive(lambda: fresh(tx).status == Status.MINED, mine=False)
    mined_at = fresh(tx).block_number
    for _ in range(3):  # depths 1, 2, 3
        assert l2.client.block_number() - mined_at + 1 < 4
        track_transactions()
        assert fresh(tx).status == Status.MINED
        l2.mine()
    track_transactions()
    assert fresh(tx).status == Status.CONFIRMED


def test_it_confirms_at_the_finalized_tag_when_configured(l2, settings):
    settings.L2_USE_FINALIZED_TAG = True
    settings.L2_CONFIRMATIONS = 1
    tx = enqueue_transfer(1)
    l2.drive(lambda: fresh(tx).status == Status.MINED, mine=False)
    l2.mine(5)
    track_transactions()
    assert fresh(tx).status == Status.MINED, "5 blocks deep is not finalized on anvil"
    l2.mine(70)  # anvil finalizes 64 blocks behind the head
    track_transactions()
    assert fresh(tx).status == Status.CONFIRMED


def test_nonces_come_from_the_database_in_queue_order(l2):
    txs = [enqueue_transfer(value) for value in (1, 2, 3)]
    l2.settle()
    assert [fresh(tx).nonce for tx in txs] == [0, 1, 2]
    assert ChainAccount.objects.get(address=SERVICE_ADDRESS).next_nonce == 3
    assert l2.eth_balance(RECEIVER) == 6


def test_the_first_nonce_is_taken_from_the_chain_once_then_from_the_database(l2):
    for _ in range(2):  # someone used the key before the service did
        l2.rpc("eth_sendTransaction", [{"from": SERVICE_ADDRESS, "to": HELPER_ADDRESS, "value": "0x1"}])
    tx = enqueue_transfer(5)
    l2.settle()
    assert fresh(tx).nonce == 2


@pytest.mark.parametrize("point", OUTBOX_CHECKPOINTS)
def test_a_crash_at_any_step_recovers_and_pays_exactly_once(l2, point):
    tx = enqueue_transfer(1_000)
    with crash_at(point) as crashed, pytest.raises(SimulatedCrash):
        l2.drive(lambda: fresh(tx).status == Status.CONFIRMED)
    assert crashed, f"the crash at {point} was never reached"
    stored = list(fresh(tx).attempts.values_list("tx_hash", "raw_transaction"))
    # A restarted worker runs the same pass.
    l2.drive(lambda: fresh(tx).status == Status.CONFIRMED)
    tx = fresh(tx)
    assert l2.eth_balance(RECEIVER) == 1_000
    assert list(tx.attempts.values_list("tx_hash", "raw_transaction")) == stored, "the same bytes, never re-signed"
    assert tx.tx_hash == stored[0][0]
    assert tags_of(tx).count("l2tx:confirmed") == 1


def test_crashes_at_every_step_in_one_life_still_pay_exactly_once(l2):
    tx = enqueue_transfer(3)
    for point in OUTBOX_CHECKPOINTS:
        with crash_at(point), pytest.raises(SimulatedCrash):
            l2.drive(lambda: False, passes=8)
    l2.drive(lambda: fresh(tx).status == Status.CONFIRMED)
    assert l2.eth_balance(RECEIVER) == 3
    assert fresh(tx).attempts.count() == 1


def test_a_dropped_transaction_is_sent_again_from_its_stored_bytes(l2):
    l2.automine(False)
    tx = enqueue_transfer(11)
    track_transactions()
    tx = fresh(tx)
    assert tx.status == Status.BROADCAST
    l2.rpc("anvil_dropTransaction", [tx.attempts.get().tx_hash])
    assert l2.client.get_transaction(tx.attempts.get().tx_hash) is None
    track_transactions()  # sees it is unknown to the node: rebroadcast
    assert l2.client.get_transaction(tx.attempts.get().tx_hash) is not None
    l2.automine(True)
    l2.drive(lambda: fresh(tx).status == Status.CONFIRMED)
    assert l2.eth_balance(RECEIVER) == 11
    assert "l2tx:rebroadcast" in tags_of(tx)


def test_a_stuck_transaction_is_replaced_with_higher_fees_and_the_same_nonce(l2, settings):
    l2.automine(False)
    tx = enqueue_transfer(13)
    track_transactions()
    assert fresh(tx).status == Status.BROADCAST
    settings.L2_STUCK_SECONDS = 0
    track_transactions()
    first, second = fresh(tx).attempts.order_by("id")
    assert second.max_fee_per_gas >= first.max_fee_per_gas * 9 // 8 + 1
    assert second.max_priority_fee_per_gas >= first.max_priority_fee_per_gas * 9 // 8 + 1
    assert first.tx_hash != second.tx_hash
    settings.L2_STUCK_SECONDS = 3600
    l2.automine(True)
    l2.mine()
    l2.drive(lambda: fresh(tx).status == Status.CONFIRMED)
    tx = fresh(tx)
    assert tx.tx_hash == second.tx_hash, "the replacement is the one mined"
    assert l2.eth_balance(RECEIVER) == 13
    assert "l2tx:bumped" in tags_of(tx)


def test_a_bump_never_signs_above_the_fee_ceiling(l2, settings):
    l2.automine(False)
    tx = enqueue_transfer(1)
    track_transactions()
    settings.L2_STUCK_SECONDS = 0
    settings.L2_MAX_FEE_PER_GAS = fresh(tx).attempts.get().max_fee_per_gas
    track_transactions()
    assert fresh(tx).attempts.count() == 1


def test_a_reorg_that_drops_the_block_sends_the_transaction_again(l2):
    tx = enqueue_transfer(17)
    l2.drive(lambda: fresh(tx).status == Status.MINED, mine=False)
    old_hash = fresh(tx).block_hash
    l2.rpc("anvil_reorg", [1, []])  # the block holding it is replaced by an empty one
    l2.drive(lambda: fresh(tx).status == Status.CONFIRMED)
    tx = fresh(tx)
    assert tx.block_hash != old_hash
    assert l2.client.get_block(tx.block_number)["hash"] == tx.block_hash
    assert "l2tx:reorged" in tags_of(tx)
    assert l2.eth_balance(RECEIVER) == 17


def test_a_reorg_that_moves_the_transaction_to_another_block_is_followed(l2):
    l2.automine(False)
    tx = enqueue_transfer(19)
    track_transactions()
    l2.mine()
    l2.drive(lambda: fresh(tx).status == Status.MINED, mine=False)
    old_hash = fresh(tx).block_hash
    raw = fresh(tx).attempts.get().raw_transaction
    # The new block holds ours and another's: whatever its timestamp, it cannot be the old block again
    # (with ours alone and the same second, anvil would rebuild the very same block and hash).
    l2.rpc("anvil_reorg", [1, [[raw, 0], [{"from": HELPER_ADDRESS, "to": HELPER_ADDRESS, "value": "0x0"}, 0]]])
    l2.automine(True)
    l2.drive(lambda: fresh(tx).status == Status.CONFIRMED)
    tx = fresh(tx)
    assert tx.block_hash != old_hash
    assert tags_of(tx).count("l2tx:reorged") == 1
    assert l2.eth_balance(RECEIVER) == 19


def test_a_call_that_would_revert_fails_before_it_takes_a_nonce(l2, transfers_to):
    first = enqueue_transfer(1)
    l2.settle()
    created = l2.rpc("eth_sendTransaction", [{"from": HELPER_ADDRESS, "data": ALWAYS_REVERTS_INIT}])
    l2.mine()
    contract = normalize_eth_address(l2.rpc("eth_getTransactionReceipt", [created])["contractAddress"])
    transfers_to.add(contract)
    with transaction.atomic():
        call = outbox.enqueue(purpose="other", subject="test", to=contract, data="0x", actor="test")
    track_transactions()
    call = fresh(call)
    assert call.status == Status.FAILED and call.nonce is None
    assert "revert" in call.error.lower()
    follow_up = enqueue_transfer(1)
    l2.settle()
    assert fresh(follow_up).nonce == fresh(first).nonce + 1, "no nonce gap"


def test_a_nonce_used_by_another_transaction_fails_ours_without_paying(l2):
    l2.automine(False)
    tx = enqueue_transfer(23)
    track_transactions()
    l2.rpc("anvil_dropTransaction", [fresh(tx).attempts.get().tx_hash])
    # Someone else with the same key spends nonce 0 first.
    l2.rpc("eth_sendTransaction", [{"from": SERVICE_ADDRESS, "to": HELPER_ADDRESS, "value": "0x1", "nonce": "0x0"}])
    l2.automine(True)
    l2.mine(3)
    l2.drive(lambda: fresh(tx).status == Status.FAILED)
    assert l2.eth_balance(RECEIVER) == 0
    assert "another transaction" in fresh(tx).error
    assert ChainAccount.objects.get(address=SERVICE_ADDRESS).next_nonce == 1
    # The foreign key user goes on; the database nonce catches up instead of failing every job.
    for nonce in (1, 2):
        l2.rpc("eth_sendTransaction", [{"from": SERVICE_ADDRESS, "to": HELPER_ADDRESS, "value": "0x1",
                                        "nonce": hex(nonce)}])
    l2.mine(3)
    blocked = enqueue_transfer(1)
    l2.drive(lambda: fresh(blocked).status == Status.FAILED)
    assert ChainAccount.objects.get(address=SERVICE_ADDRESS).next_nonce == 3
    after = enqueue_transfer(29)
    l2.settle()
    assert fresh(after).status == Status.CONFIRMED and fresh(after).nonce == 3
    assert l2.eth_balance(RECEIVER) == 29


def test_a_failing_owner_rolls_back_only_that_confirmation_and_it_is_retried(l2):
    first, second = enqueue_transfer(1), enqueue_transfer(2)

    def broken_owner(sender, transaction, **kwargs):
        if transaction.pk == first.pk:
            raise RuntimeError("a bug in the owner's receiver")

    transaction_finalized.connect(broken_owner)
    try:
        l2.drive(lambda: fresh(second).status == Status.CONFIRMED)
        assert fresh(first).status == Status.MINED, "its confirmation rolled back with the receiver"
        assert tags_of(first).count("l2tx:confirmed") == 0
    finally:
        transaction_finalized.disconnect(broken_owner)
    l2.drive(lambda: fresh(first).status == Status.CONFIRMED)
    assert l2.eth_balance(RECEIVER) == 3


def test_a_transaction_the_node_refuses_for_good_is_cancelled_so_the_queue_moves_on(l2):
    refused = enqueue_transfer(5, gas_limit=20_000)  # below the 21,000 intrinsic gas: never accepted
    behind = enqueue_transfer(7)
    l2.settle()
    refused, behind = fresh(refused), fresh(behind)
    assert refused.status == Status.FAILED and refused.error.startswith("cancelled")
    original, cancel = refused.attempts.order_by("id")
    assert (original.kind, cancel.kind) == ("original", "cancel")
    assert "intrinsic gas too low" in original.last_error
    assert refused.tx_hash == cancel.tx_hash, "the cancel used the nonce"
    assert "l2tx:cancelling" in tags_of(refused) and tags_of(refused)[-1] == "l2tx:failed"
    assert behind.status == Status.CONFIRMED and behind.nonce == refused.nonce + 1
    assert l2.eth_balance(RECEIVER) == 7, "the refused transfer never happened"
