"""The claims ledger of a scripted deposit history equals the one computed by hand below."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.utils.module_loading import import_string

from claims.models import Deposit, DepositState
from claims.services.burns import record_burn
from claims.services.entitlements import claims_entitlements
from claims.services.reconciliation import claims_summary
from swap.simulator.chain import GENESIS_TIMESTAMP, TARGET_BLOCK_SECONDS
from tests.claims.claims_world import ACCOUNT, OXEN, World

pytestmark = pytest.mark.django_db
HEADER = "claim_id,eth_address,oxen_txid,amount_oxen_atomic,rate_num,rate_den,multiplier,sesh_atomic,credited_height"
# The multiplier becomes 7/10 at the timestamp of block 95 (simulated blocks are 120 s apart).
STEP_AT = datetime.fromtimestamp(GENESIS_TIMESTAMP + TARGET_BLOCK_SECONDS * 95, UTC)


def ledger(fmt: str = "csv") -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("claims_ledger", "--format", fmt, stdout=out, stderr=err)
    return out.getvalue()


def test_the_ledger_of_a_scripted_history_matches_the_hand_computed_one(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CLAIMS_MULTIPLIER_SCHEDULE = f"{STEP_AT.isoformat()}=7/10"
    world.snapshot()  # rate 300000000/600000001
    alice, bob = world.holder(), world.holder()
    a, b = world.open(alice), world.open(bob)
    assert ledger() == HEADER + "\n"

    # Wallet height 100 (blocks 0…99).
    tx1 = world.pay(a, 10 * OXEN, height=90)  # before the step: multiplier 1
    tx2 = world.pay(a, 2_500_000_000, 1_000_000_000, height=96)  # two outputs, after the step: 7/10
    tx3 = world.pay(b, 400_000_000, height=91)  # below the minimum on its own
    world.sim.wallet.create_address(ACCOUNT, "stray")
    world.pay(3, 5 * OXEN, height=92)  # an orphan: never in the ledger
    tx5 = world.pay(b, 700_000_000, height=99)  # 1 confirmation
    world.poll()  # height 100: only tx1 has 10 confirmations
    world.mine(1)
    world.poll()  # height 101: tx3 confirmed but bob's total is 0.4 OXEN
    assert world.deposit(tx3).state == DepositState.PENDING_MINIMUM
    world.mine(4)
    tx6 = world.pay(a, 5 * OXEN)  # at height 104, then gone in a reorg: never credited
    world.poll()
    world.sim.chain.reorg(104)
    world.mine(5)
    world.poll()  # height 110: tx2 (14), tx3 (19), tx5 (11) confirmed; bob has 1.1 OXEN
    world.mine(3)
    world.poll()  # nothing more
    assert Deposit.objects.get(txid=tx6).vanished_at is not None

    # By hand, rate r = 300000000/600000001, credit = floor(amount × r × multiplier):
    #   tx1  10 OXEN    × r        = 4999999991.666…  → 4999999991, credited at height 100
    #   then at height 110, oldest first (height 91, 96, 99):
    #   tx3  0.4 OXEN   × r        =  199999999.666…  →  199999999 (block 91: before the step)
    #   tx2  3.5 OXEN   × r × 7/10 = 1224999997.958…  → 1224999997
    #   tx5  0.7 OXEN   × r × 7/10 =  244999999.591…  →  244999999
    expected = [
        (a, tx1, 10_000_000_000, "1", 4_999_999_991, 100),
        (b, tx3, 400_000_000, "1", 199_999_999, 110),
        (a, tx2, 3_500_000_000, "7/10", 1_224_999_997, 110),
        (b, tx5, 700_000_000, "7/10", 244_999_999, 110),
    ]
    lines = [HEADER] + [f"{c.pk},{c.eth_address},{tx},{amount},300000000,600000001,{m},{sesh},{height}"
                        for c, tx, amount, m, sesh, height in expected]
    assert ledger() == "\n".join(lines) + "\n"

    rows = json.loads(ledger("json"))
    assert rows[2] == {"claim_id": str(a.pk), "eth_address": alice.eth_address, "oxen_txid": tx2,
                       "amount_oxen_atomic": "3500000000", "rate_num": "300000000", "rate_den": "600000001",
                       "multiplier": "7/10", "sesh_atomic": "1224999997", "credited_height": "110"}

    assert claims_entitlements() == {alice.eth_address: 4_999_999_991 + 1_224_999_997,
                                     bob.eth_address: 199_999_999 + 244_999_999}
    record_burn("cd" * 32, 10 * OXEN, entered_by="user:operator")
    summary = claims_summary()
    assert summary.credited_sesh_atomic == 6_669_999_986
    assert summary.credited_oxen_atomic == 14_600_000_000
    assert summary.received_oxen_atomic == 14_600_000_000 + 5 * OXEN  # the orphan is received, not credited
    assert (summary.burned_oxen_atomic, summary.outstanding_oxen_atomic) == (10 * OXEN, 4_600_000_000)
    assert summary.remaining_sesh_atomic == 30_000_000 * OXEN - 6_669_999_986
    assert summary.ledger_matches and summary.open_flags == 1  # the orphan


def test_entitlements_sum_every_oxen_address_of_an_eth_address_up_to_the_cutoff(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    world.snapshot()
    first = world.holder()
    second = world.holder(eth_address=first.eth_address)  # another Oxen wallet, the same ETH address
    world.pay(world.open(first), 10 * OXEN, height=80)
    world.pay(world.open(second), 4 * OXEN, height=81)
    before = datetime.now(UTC)
    world.poll()
    assert claims_entitlements(cutoff=before) == {}
    assert claims_entitlements(cutoff=datetime.now(UTC)) == {first.eth_address: 4_999_999_991 + 1_999_999_996}
    assert import_string(settings.DISTRIBUTION_SOURCES["claims"]) is claims_entitlements
