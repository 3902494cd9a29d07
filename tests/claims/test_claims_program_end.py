"""At the program's close: claims stop opening and crediting, late deposits are held for good, registrations close."""

from __future__ import annotations

import time
from fractions import Fraction

import pytest
from django.conf import settings

from claims.exceptions import ClaimRefused
from claims.models import ClaimFlag, Deposit, DepositState, FlagKind, HoldReason
from claims.services.reconciliation import withheld_sesh_atomic
from claims.services.review import release_held
from swap.chain.models import ProgramClosure, ProgramEndAnnouncement
from swap.chain.program_end import closes_at
from swap.core.claims_allocation import credit_atomic
from swap.models import AuditEvent
from swap.registrations.exceptions import RegistrationRefused
from tests.claims.claims_world import OXEN, World

pytestmark = pytest.mark.django_db


def announce(end_time: int) -> None:
    ProgramEndAnnouncement.objects.create(chain_id=settings.L2_CHAIN_ID, distributor="", end_time=end_time,
                                          actor="test")


def close_now() -> None:
    end = ProgramEndAnnouncement.objects.get()
    ProgramClosure.objects.create(chain_id=settings.L2_CHAIN_ID, distributor="", end_time=end.end_time,
                                  chain_time=int(time.time()), actor="test")


def test_a_deposit_after_the_close_is_held_flagged_and_never_credited(world: World) -> None:
    world.snapshot()
    claim = world.open()
    announce(int(time.time()) + 200 * 86_400)
    before = world.pay(claim, 2 * OXEN)
    world.poll()  # seen before the close
    close_now()
    late = world.pay(claim, 5 * OXEN)
    world.mine(10)
    outcome = world.poll()

    assert world.deposit(before).state == DepositState.CREDITED  # it arrived before the close
    held = world.deposit(late)
    assert (held.state, held.hold_reason) == (DepositState.HELD, HoldReason.AFTER_END)
    assert outcome.credited == 1 and outcome.held == 1
    assert ClaimFlag.objects.filter(kind=FlagKind.AFTER_END, key=f"deposit:{held.pk}").count() == 1
    assert AuditEvent.objects.filter(tag="claim:deposit_held", data__reason="after_end").count() == 1
    assert release_held([held.pk], actor="user:ops") == 0  # a person cannot release it into a credit
    world.mine(5)
    world.poll()
    assert [c.txid for c in world.credits()] == [before]


def test_a_deposit_sent_at_the_close_time_is_held_without_a_recorded_close(world: World) -> None:
    world.snapshot()
    claim = world.open()
    txid = world.pay(claim, 3 * OXEN)
    world.poll()
    sent = Deposit.objects.get(txid=txid).timestamp  # its block time on the simulated Oxen chain
    end = sent + settings.L2_ACTIVATION_DELAY_SECONDS + settings.PROGRAM_FINAL_ROUND_MARGIN_SECONDS
    announce(end)
    assert closes_at(end) == sent  # sent exactly at the close: late
    world.mine(10)
    world.poll()
    assert Deposit.objects.get(txid=txid).hold_reason == HoldReason.AFTER_END


def test_claims_and_registrations_refuse_after_the_close(world: World) -> None:
    world.snapshot()
    holder = world.holder()
    announce(int(time.time()) + 200 * 86_400)
    world.open(holder)  # still open before the close
    close_now()
    with pytest.raises(ClaimRefused) as refused:
        world.open(holder)
    assert refused.value.codes == ["program_closed"]
    with pytest.raises(RegistrationRefused) as closed:
        world.holder()
    assert closed.value.codes == ["program_closed"]


def test_what_the_late_claim_multiplier_withholds_is_counted_for_node_rewards(world: World, settings) -> None:
    settings.CLAIMS_MULTIPLIER_SCHEDULE = "2000-01-01T00:00:00Z=7/10"
    world.snapshot()
    claim = world.open()
    world.pay(claim, 3 * OXEN)
    world.pay(claim, 7 * OXEN + 1)
    world.mine(10)
    world.poll()
    full = [credit_atomic(c.amount_oxen_atomic, Fraction(c.rate_num, c.rate_den)) for c in world.credits()]
    credited = [c.sesh_atomic for c in world.credits()]
    assert credited == [credit_atomic(c.amount_oxen_atomic, Fraction(c.rate_num, c.rate_den), Fraction(7, 10))
                        for c in world.credits()]
    assert withheld_sesh_atomic() == sum(full) - sum(credited) > 0
