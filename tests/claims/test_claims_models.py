"""The database itself refuses a second credit, an overspent pool and rewritten money records."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet

from claims.models import ClaimCredit, ClaimsLedger, Deposit, DepositState
from swap.models import AppendOnlyError
from tests.claims.claims_world import OXEN, World

pytestmark = pytest.mark.django_db


@pytest.fixture
def credited(world: World) -> ClaimCredit:
    world.snapshot()
    world.pay(world.open(), 2 * OXEN, height=80)
    world.poll()
    return ClaimCredit.objects.get()


def test_a_deposit_cannot_be_credited_twice(credited: ClaimCredit) -> None:
    fields = {f.attname: getattr(credited, f.attname) for f in ClaimCredit._meta.concrete_fields if f.name != "id"}
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimCredit.objects.create(**fields)  # the same deposit
    other = Deposit.objects.create(
        txid=credited.txid, account_index=credited.account_index, address_index=credited.address_index + 1,
        claim=credited.claim, amount_atomic=OXEN, output_count=1, height=80, timestamp=0, transfer_type="in",
        state=DepositState.SEEN, first_seen_wallet_height=100)
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimCredit.objects.create(**{**fields, "deposit_id": other.pk})  # the same (txid, major, minor)


def test_the_ledger_row_cannot_pass_the_pool(credited: ClaimCredit) -> None:
    ledger = ClaimsLedger.objects.get()
    assert ledger.pool_atomic == 30_000_000 * OXEN
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimsLedger.objects.filter(pk=1).update(credited_sesh_atomic=F("pool_atomic") + 1)


def test_credits_are_never_changed_or_deleted(credited: ClaimCredit) -> None:
    with pytest.raises(AppendOnlyError):
        credited.save()
    with pytest.raises(AppendOnlyError):
        credited.delete()
    with pytest.raises(AppendOnlyError):
        ClaimCredit.objects.filter(pk=credited.pk).update(sesh_atomic=0)
    with pytest.raises(IntegrityError), transaction.atomic():  # a cap must be a real cap
        QuerySet.update(ClaimCredit.objects.filter(pk=credited.pk), capped=True)
