"""A wallet entry the watcher cannot read is quarantined; the rest is credited and the window moves on.

Issue 17, item 7: one entry with a zero or missing amount made the parser raise, so the whole poll
failed, the window never advanced and the good deposit beside it was not even recorded. Against
the simulated wallet over its real HTTP socket, through the real watcher.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from claims.models import ClaimFlag, ClaimsLedger, Deposit, DepositState, FlagKind, QuarantinedTransfer
from claims.transfers import MalformedTransfer, group_transfers, sort_transfers
from swap.models import AuditEvent
from tests.claims.claims_world import ACCOUNT, OXEN, World

pytestmark = pytest.mark.django_db
RATE_NUM, RATE_DEN = 300_000_000, 600_000_001


def test_an_entry_with_no_amount_is_quarantined_and_the_good_deposit_beside_it_is_credited(world: World) -> None:
    world.snapshot()
    good, other = world.open(), world.open()
    paid = world.pay(good, 3 * OXEN, height=90)  # 10 confirmations at the wallet's height 100
    broken = world.sim.wallet.add_transfer([(ACCOUNT, other.subaddress.address_index, 0)], height=90, allow_zero=True)

    outcome = world.poll()

    assert (outcome.status, outcome.credited, outcome.quarantined) == ("applied", 1, 1)
    assert world.deposit(paid).state == DepositState.CREDITED
    assert not Deposit.objects.filter(txid=broken).exists()
    held = QuarantinedTransfer.objects.get()
    assert (held.txid, held.account_index, held.address_index) == (broken, ACCOUNT, other.subaddress.address_index)
    assert "amount" in held.reason and held.entries[0]["txid"] == broken and "amount" not in held.entries[0]
    flag = ClaimFlag.objects.get(kind=FlagKind.MALFORMED_TRANSFER)
    assert flag.resolved_at is None and flag.data["quarantine_id"] == held.pk and flag.data["txid"] == broken
    assert AuditEvent.objects.filter(tag="claim:transfer_quarantined", subject=f"transfer:{broken}").count() == 1
    assert ClaimsLedger.objects.get().last_poll_height == 100  # the window advanced

    # The next polls neither record it again nor flag it again, nor count the deposit as vanished.
    world.mine(5)
    again = world.poll()
    assert (again.quarantined, again.vanished, again.credited) == (0, 0, 0)
    assert QuarantinedTransfer.objects.count() == 1 and ClaimFlag.objects.filter(
        kind=FlagKind.MALFORMED_TRANSFER).count() == 1
    assert ClaimsLedger.objects.get().last_poll_height == 105


def test_a_deposit_with_one_unreadable_output_is_quarantined_whole_not_credited_in_part(world: World) -> None:
    world.snapshot()
    claim = world.open()
    minor = claim.subaddress.address_index
    txid = world.sim.wallet.add_transfer([(ACCOUNT, minor, 5 * OXEN), (ACCOUNT, minor, 0)], height=90,
                                         allow_zero=True)
    outcome = world.poll()
    assert (outcome.credited, outcome.quarantined) == (0, 1)
    assert not Deposit.objects.filter(txid=txid).exists()
    assert len(QuarantinedTransfer.objects.get(txid=txid).entries) == 2


def test_a_known_deposit_whose_entry_turns_unreadable_is_not_marked_vanished(world: World) -> None:
    world.snapshot()
    claim = world.open()
    txid = world.pay(claim, 2 * OXEN, height=95)  # 5 confirmations: seen, not yet credited
    world.poll()
    [output] = [o for o in world.sim.wallet.outputs if o.txid == txid]
    output.amount = 0  # the wallet now reports it without an amount
    outcome = world.poll()
    deposit = world.deposit(txid)
    assert (outcome.quarantined, outcome.vanished, deposit.vanished_at, deposit.state) == (1, 0, None,
                                                                                           DepositState.SEEN)
    world.mine(10)
    assert world.poll().credited == 0  # nothing is credited from a reply we cannot read


def test_the_quarantined_entry_is_in_the_admin_for_review(world: World) -> None:
    world.snapshot()
    claim = world.open()
    broken = world.sim.wallet.add_transfer([(ACCOUNT, claim.subaddress.address_index, 0)], height=90,
                                           allow_zero=True)
    world.poll()
    User.objects.create_superuser("root", password="pw-for-tests-only")
    client = Client()
    client.login(username="root", password="pw-for-tests-only")
    listing = client.get("/admin/claims/quarantinedtransfer/")
    assert listing.status_code == 200 and broken in listing.content.decode()
    flags = client.get("/admin/claims/claimflag/?kind__exact=malformed_transfer")
    assert flags.status_code == 200 and broken in flags.content.decode()


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": None}, "amount"),
        ({"amount": 1.5}, "amount"),
        ({"txid": "XYZ"}, "txid"),
        ({"subaddr_index": {"major": 0, "minor": 3}}, "account"),
        ({"type": ""}, "type"),
    ],
)
def test_the_parser_sorts_each_bad_entry_out_and_keeps_the_rest(entry, reason) -> None:
    good = {"txid": "aa" * 32, "subaddr_index": {"major": 1, "minor": 2}, "type": "in", "amount": 7, "height": 5}
    bad = {**good, "txid": "bb" * 32, **entry}
    if entry.get("amount", 1) is None:
        del bad["amount"]
    batch = sort_transfers([good, bad, "not an object"], 1)
    assert list(batch.groups) == [("aa" * 32, 1, 2)]
    assert [r.reason for r in batch.refused][0].find(reason) >= 0 and len(batch.refused) == 2
    with pytest.raises(MalformedTransfer):
        group_transfers([good, bad], 1)  # the strict form still refuses the whole reply
