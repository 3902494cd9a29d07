"""The supply snapshot: exact rate, one active, filled from oxend over HTTP, locked by the first credit."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from claims.exceptions import ClaimsNotConfigured, SnapshotLocked
from claims.models import SnapshotSource, SupplySnapshot
from claims.services.config import multiplier_schedule
from claims.services.supply import (
    ExcludedHolding,
    SupplyRefused,
    active_snapshot,
    enter_supply_snapshot,
    fetch_supply,
    fill_from_oxend,
    parse_excluded,
)
from swap.models import AppendOnlyError, AuditEvent
from swap.oxend import OxendClient
from swap.simulator.chain import BLOCK_REWARD
from tests.claims.claims_world import BLOCK_HASH, OXEN, World
from tests.registrations.wallets import Wallet

pytestmark = pytest.mark.django_db


def test_a_snapshot_stores_the_reduced_rate_and_supersedes_the_active_one(world: World) -> None:
    first = world.snapshot()
    assert (first.rate_num, first.rate_den, first.sesh_per_oxen) == (300_000_000, 600_000_001, "0.499999999")
    assert first.circulating_atomic == 60_000_000_100_000_000 and first.pool_atomic == 30_000_000 * OXEN
    second = world.snapshot(emission=90_000_000 * OXEN, burned=0, excluded=())
    first.refresh_from_db()
    assert (first.is_active, second.is_active, active_snapshot()) == (False, True, second)
    assert (second.rate_num, second.rate_den) == (1, 3)
    assert AuditEvent.objects.filter(tag="claims:supply_snapshot_entered").count() == 2
    with pytest.raises(AppendOnlyError):
        second.save()
    with pytest.raises(AppendOnlyError):
        SupplySnapshot.objects.filter(pk=second.pk).update(notes="x")


def test_the_database_keeps_one_active_snapshot(world: World) -> None:
    snapshot = world.snapshot()
    duplicate = SupplySnapshot(**{f.attname: getattr(snapshot, f.attname)
                                  for f in SupplySnapshot._meta.concrete_fields if f.attname != "id"})
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_figures_that_make_no_rate_are_refused_by_field(world: World) -> None:
    with pytest.raises(SupplyRefused) as refused:
        enter_supply_snapshot(height=1, block_hash="XYZ", emission_atomic=5 * OXEN, burned_atomic=5 * OXEN,
                              excluded=[ExcludedHolding("Lnope", 1)], entered_by="user:test")
    assert set(refused.value.problems) == {"block_hash", "excluded"}
    with pytest.raises(SupplyRefused) as refused:
        enter_supply_snapshot(height=1, block_hash=BLOCK_HASH, emission_atomic=5 * OXEN, burned_atomic=5 * OXEN,
                              excluded=[], entered_by="user:test")
    assert "nothing in circulation" in refused.value.problems["emission_atomic"][0]
    assert not SupplySnapshot.objects.exists()


def test_excluded_holdings_are_read_one_per_line_in_atomic_units() -> None:
    address = Wallet().address
    assert parse_excluded(f"# OPTF\n{address} 4000000000000000 OPTF treasury\n\n") == [
        ExcludedHolding(address, 4_000_000 * OXEN, "OPTF treasury")]
    with pytest.raises(SupplyRefused):
        parse_excluded(f"{address} 4.5")


def test_the_first_credit_locks_the_snapshot(world: World) -> None:
    world.snapshot()
    claim = world.open()
    world.pay(claim, 2 * OXEN, height=80)
    assert world.poll().credited == 1
    with pytest.raises(SnapshotLocked):
        world.snapshot(emission=90_000_000 * OXEN, burned=0, excluded=())
    assert SupplySnapshot.objects.count() == 1
    assert AuditEvent.objects.filter(tag="claims:supply_snapshot_locked").count() == 1


def test_emission_and_burn_are_read_from_oxend_at_an_immutable_height(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    chain = world.sim.chain
    chain.set_block_economics(10, burn=5 * OXEN)
    chain.set_block_economics(40, emission=BLOCK_REWARD + 7, burn=2 * OXEN)
    chain.set_block_economics(70, burn=100 * OXEN)  # above the snapshot height: not counted
    client = OxendClient(world.sim.oxend_url, network="mainnet")
    fetched = fetch_supply(client, 50)
    assert (fetched.emission_atomic, fetched.burned_atomic) == (BLOCK_REWARD * 51 + 7, 7 * OXEN)
    assert fetched.block_hash == chain.block_hash(50)
    assert world.sim.oxend.requests.count("get_coinbase_tx_sum") == 2  # the cached total minus the tail
    with pytest.raises(SupplyRefused):
        fetch_supply(client, 95)  # the immutable height is 89

    settings.OXEND_RPC_URL = world.sim.oxend_url
    settings.CLAIMS_POOL_ATOMIC = 1000 * OXEN
    snapshot = fill_from_oxend(50, [], entered_by="user:ops via oxend")
    assert (snapshot.source, snapshot.emission_atomic, snapshot.burned_atomic) == (
        SnapshotSource.OXEND, BLOCK_REWARD * 51 + 7, 7 * OXEN)


def test_the_multiplier_schedule_settings(settings) -> None:  # type: ignore[no-untyped-def]
    settings.CLAIMS_MULTIPLIER_SCHEDULE = ""
    settings.CLAIMS_REDUCED_MULTIPLIER_ENABLED = False
    assert multiplier_schedule() == ()
    settings.CLAIMS_REDUCED_MULTIPLIER_ENABLED = True
    settings.CLAIMS_TGE_TIME = "2025-08-31T12:00:00Z"
    [step] = multiplier_schedule()
    assert (step.start.isoformat(), str(step.multiplier)) == ("2026-02-28T12:00:00+00:00", "7/10")
    settings.CLAIMS_TGE_TIME = ""
    with pytest.raises(ClaimsNotConfigured):
        multiplier_schedule()
    settings.CLAIMS_TGE_TIME = "2025-05-21T00:00:00Z"
    settings.CLAIMS_MULTIPLIER_SCHEDULE = "2025-11-21T00:00:00Z=7/10"
    with pytest.raises(ClaimsNotConfigured):  # one or the other
        multiplier_schedule()
