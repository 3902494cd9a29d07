"""Fault (i): no round is frozen while a credited deposit is flagged as vanished or changed.

A frozen amount becomes irreversible once its root activates; a credit the wallet no longer
shows must be decided by a person first. Real wallet RPC over HTTP (the simulator), real claims
source, real freeze.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from claims.models import ClaimFlag, FlagKind
from claims.services.flags import resolve_flags
from swap.distributions.exceptions import EntitlementsOnHoldError
from swap.distributions.models import DistributionEntry, DistributionRound, RoundStatus
from swap.distributions.services.rounds import create_round, freeze_round
from tests.claims.claims_world import OXEN, World

pytestmark = pytest.mark.django_db


@pytest.fixture
def claims_only(settings):  # type: ignore[no-untyped-def]
    settings.DISTRIBUTION_SOURCES = {"claims": "claims.services.entitlements.claims_entitlements"}


def test_a_round_is_not_frozen_while_a_credited_deposit_is_flagged_vanished(world: World, claims_only) -> None:
    world.snapshot()
    claim = world.open()
    txid = world.pay(claim, 2 * OXEN, height=90)
    assert world.poll().credited == 1
    world.sim.chain.reorg(90)
    world.poll()
    flag = ClaimFlag.objects.get(kind=FlagKind.CREDITED_VANISHED, resolved_at__isnull=True)
    assert flag.deposit.txid == txid

    draft = create_round(cutoff=timezone.now(), actor="test")
    with pytest.raises(EntitlementsOnHoldError, match=r"1 open review flag\(s\) question credited deposits.*resolve"):
        freeze_round(draft.pk, actor="test")
    draft.refresh_from_db()
    assert draft.status == RoundStatus.DRAFT and not DistributionEntry.objects.exists(), "nothing half-written"

    resolve_flags([flag.pk], actor="user:reviewer")
    frozen = freeze_round(draft.pk, actor="test")
    assert frozen.status == RoundStatus.FROZEN and frozen.count == 1
    assert DistributionRound.objects.get().claims_total_atomic == world.credits()[0].sesh_atomic
