"""A scripted world with known numbers for the admin tests, built through the real services.

- Registrations with real SigV1 signatures (`submit_registration`): Alice and Bob stake, Carol claims.
- Two final snapshots ingested by the bonus ingestion at heights 1000 and 1100 (100 blocks apart,
  so a gap is flagged): one active node, Alice 10,000 OXEN and Bob 5,000 OXEN. The program ends at
  1100 (`SNB_FINAL_HEIGHT`), so the bonus is final and enters rounds. The window is [1000, 1100):
  Alice earns 10,000 OXEN × 100 blocks, Bob half that, so the 30,000,000 SESH pool splits exactly
  2/3 and 1/3.
- Carol opens a claim with the simulated wallet and deposits 10 OXEN; at the rate
  300000000/600000001 she is credited floor(10 OXEN × rate) = 4,999,999,991 atomic SESH.
- 10 OXEN are burned (the burn ledger balances).
- Round 1 is frozen by `freeze_round` from the programs' own entitlement sources.
- The claim index holds what the distributor's `Claimed` events said: Alice claimed everything
  (20,000,000 SESH), Carol her 4.999999991 SESH. The rows are written as `sync_claims` writes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.contrib.admin.utils import quote
from django.db import models
from django.urls import reverse
from django.utils import timezone

from bonuses.services.ingest import ingest_snapshot
from claims.models import ClaimCredit, Deposit
from claims.services.burns import record_burn
from swap.chain.models import (
    ChainAccount,
    L2Transaction,
    L2TransactionAttempt,
    ProgramClosure,
    ProgramEndAnnouncement,
    RemainderWithdrawal,
)
from swap.distributions.models import (
    ClaimEvent,
    ClaimIndexCursor,
    DistributionRound,
    PayoutBatch,
    PayoutItem,
)
from swap.distributions.services.payouts import request_payout
from swap.distributions.services.rounds import create_round, freeze_round
from swap.watchdog.models import ClaimCheck, ProposalCheck, RootActivation, Verdict, WatchCursor
from swap.watchdog.services.alerts import check_heartbeat
from tests.bonuses.snb_scenarios import node, result
from tests.claims.claims_world import ACCOUNT, OXEN, World
from tests.registrations.wallets import Wallet, new_eth_address

PASSWORD = "pw-for-tests-only"
SESH = 10**9
POOL = 30_000_000 * SESH
START, SECOND = 1000, 1100
FINAL = SECOND  # the program ended at the second snapshot: the bonus enters rounds
ALICE_SESH = 20_000_000 * SESH
BOB_SESH = 10_000_000 * SESH
CAROL_SESH = 4_999_999_991  # floor(10 OXEN × 300000000/600000001)
CHAIN_ID = 31337
DISTRIBUTOR = "0xD1D1d1d1d1d1D1d1d1D1D1d1D1D1d1d1d1D1D1d1"
ENDED_DISTRIBUTOR = "0xE1E1E1e1E1E1e1e1E1E1E1e1e1e1E1E1E1E1e1e1"
BLOCK_TIME = int(datetime(2025, 6, 1, tzinfo=UTC).timestamp())


@dataclass
class Scenario:
    world: World
    alice: Wallet
    bob: Wallet
    alice_eth: str
    bob_eth: str
    carol_oxen: str
    carol_eth: str
    round: DistributionRound
    carol_txid: str


def configure(settings) -> None:  # type: ignore[no-untyped-def]
    """Program settings of the scenario: a short bonus window, everyone backdated, one distributor."""
    settings.SNB_START_HEIGHT = START
    settings.SNB_FINAL_HEIGHT = FINAL
    settings.SNB_BACKDATE_CUTOFF = datetime(2100, 1, 1, tzinfo=UTC)
    settings.SNB_POOL_ATOMIC = POOL
    settings.SNB_GAP_BLOCKS = 30
    settings.L2_CHAIN_ID = CHAIN_ID
    settings.L2_DISTRIBUTOR_ADDRESS = DISTRIBUTOR
    settings.DISTRIBUTION_SOURCES = {
        "bonus": "bonuses.services.entitlements.bonus_entitlements",
        "claims": "claims.services.entitlements.claims_entitlements",
    }


def index_claim(account: str, amount: int, cumulative: int, *, block: int, log_index: int = 0) -> ClaimEvent:
    """A `Claimed` event as the claim index stores it (`sync_claims`)."""
    return ClaimEvent.objects.create(
        chain_id=CHAIN_ID, distributor=DISTRIBUTOR, tx_hash="0x" + f"{block:064x}", log_index=log_index,
        block_number=block, block_hash="0x" + f"{block + 1:064x}", eth_address=account, amount_atomic=amount,
        cumulative_atomic=cumulative,
    )


def build(world: World, *, index_claims: bool = True) -> Scenario:
    """The scenario; without `index_claims` nothing is claimed yet (a chain test claims for real)."""
    alice, bob = Wallet(), Wallet()
    alice_eth, bob_eth = new_eth_address(), new_eth_address()
    world.snapshot()  # the claims rate 300000000/600000001
    for wallet, eth in ((alice, alice_eth), (bob, bob_eth)):
        world.holder(eth, wallet)
    stakes = node("n1", (alice.address, 10_000), (bob.address, 5_000))
    for height in (START, SECOND):
        ingest_snapshot(result(height, stakes), source="import", block_timestamp=BLOCK_TIME + height, final=True)

    carol = world.holder()
    claim = world.open(carol)
    txid = world.pay(claim, 10 * OXEN, height=90)
    world.poll()  # wallet height 100: 10 confirmations, credited
    assert ClaimCredit.objects.get().sesh_atomic == CAROL_SESH
    record_burn("ab" * 32, 10 * OXEN, entered_by="user:operator", notes="burned the first claim")

    round_ = freeze_round(create_round(cutoff=timezone.now(), actor="test").pk, actor="test")
    if index_claims:
        index_claim(alice_eth, ALICE_SESH, ALICE_SESH, block=10)
        index_claim(carol.eth_address, CAROL_SESH, CAROL_SESH, block=11)
        ClaimIndexCursor.objects.create(chain_id=CHAIN_ID, distributor=DISTRIBUTOR, next_block=20,
                                        last_block_hash="0x" + "ee" * 32)
    return Scenario(world, alice, bob, alice_eth, bob_eth, carol.oxen_address, carol.eth_address, round_, txid)


def add_outbox_rows(scenario: Scenario) -> None:
    """Rows of the outbox and payouts, shaped as the tracker leaves them (for pages that list them)."""
    request_payout(scenario.bob_eth, requested_by="web")
    account = ChainAccount.objects.create(chain_id=CHAIN_ID, address="0x" + "aB" * 20, next_nonce=1)
    tx = L2Transaction.objects.create(
        chain_id=CHAIN_ID, sender=account.address, nonce=0, to_address=DISTRIBUTOR, data="0x00",
        purpose=L2Transaction.Purpose.PAYOUT_BATCH, subject="payout-batch:1", status=L2Transaction.Status.BROADCAST,
        broadcast_at=timezone.now(),
    )
    L2TransactionAttempt.objects.create(
        transaction=tx, tx_hash="0x" + "cd" * 32, raw_transaction="0x02", max_fee_per_gas=2, max_priority_fee_per_gas=1,
        gas_limit=100_000, broadcast_at=timezone.now() - timedelta(seconds=5),
    )
    batch = PayoutBatch.objects.create(round=scenario.round, transaction=tx)
    PayoutItem.objects.create(batch=batch, round=scenario.round, eth_address=scenario.bob_eth,
                              cumulative_atomic=BOB_SESH)


def program_end_rows() -> None:
    """An earlier deployment's whole end (so this scenario's own program stays open): announced,
    closed, the remainder withdrawal prepared, as `swap.chain.program_end` leaves them."""
    ProgramEndAnnouncement.objects.create(chain_id=CHAIN_ID, distributor=ENDED_DISTRIBUTOR,
                                          end_time=BLOCK_TIME + 100 * 86_400, actor="command:program_end")
    ProgramClosure.objects.create(chain_id=CHAIN_ID, distributor=ENDED_DISTRIBUTOR,
                                  end_time=BLOCK_TIME + 100 * 86_400, chain_time=BLOCK_TIME + 99 * 86_400,
                                  actor="command:program_end")
    RemainderWithdrawal.objects.create(
        chain_id=CHAIN_ID, distributor=ENDED_DISTRIBUTOR, safe="0x" + "5a" * 20, recipient="0x" + "f0" * 20,
        safe_nonce=4, safe_tx_hash="0x" + "5b" * 32, data="0x" + "00" * 36, actor="command:withdraw_remainder")


def watchdog_rows(scenario: Scenario) -> None:
    """The watchdog's rows as a pass over round 1 leaves them (root judged ok, one claim checked),
    and the alert the main workers raise while the watchdog has not completed a pass since."""
    round_ = scenario.round
    ProposalCheck.objects.create(
        chain_id=CHAIN_ID, distributor=DISTRIBUTOR, round_id=round_.number, root=round_.root,
        declared_total=str(round_.total_atomic), declared_accounts=str(round_.count), activates_at=BLOCK_TIME + 3600,
        source=ProposalCheck.Source.LOG, tx_hash="0x" + "a1" * 32, log_index=0, block_number=5, verdict=Verdict.OK,
        checked_at=timezone.now(),
    )
    RootActivation.objects.create(chain_id=CHAIN_ID, distributor=DISTRIBUTOR, round_id=round_.number, root=round_.root,
                                  block_number=8, log_index=0, tx_hash="0x" + "a2" * 32)
    ClaimCheck.objects.create(
        chain_id=CHAIN_ID, distributor=DISTRIBUTOR, tx_hash="0x" + "a3" * 32, log_index=0, block_number=10,
        eth_address=scenario.alice_eth, amount_atomic=ALICE_SESH, cumulative_atomic=ALICE_SESH,
        round_id=round_.number, entitled_atomic=ALICE_SESH, verdict=Verdict.OK,
    )
    WatchCursor.objects.create(chain_id=CHAIN_ID, distributor=DISTRIBUTOR, next_block=21,
                               last_block_hash="0x" + "ee" * 32, last_pass_at=timezone.now() - timedelta(hours=1),
                               last_pass_head=23, passes=40)
    check_heartbeat(actor="task:main")


def held_deposit(scenario: Scenario) -> Deposit:
    """A deposit the watcher holds for review (the sender set an unlock time), and a quarantined entry."""
    world = scenario.world
    claim = world.open(world.holders[0])
    txid = world.pay(claim, 2 * OXEN, height=95, unlock_time=500)
    # And another transaction whose output the wallet lists without an amount: quarantined for review.
    world.sim.wallet.add_transfer([(ACCOUNT, claim.subaddress.address_index, 0)], height=95, allow_zero=True)
    world.poll()
    return world.deposit(txid)


def label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def url(model: type[models.Model], view: str, obj: models.Model | None = None) -> str:
    """An admin URL of `model`: its changelist, add form, or `obj`'s change or delete page."""
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"
    return reverse(name, args=[quote(obj.pk)] if obj is not None else [])
