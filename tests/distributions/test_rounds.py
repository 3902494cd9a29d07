"""Rounds without a chain: freezing is one transaction, frozen rows never change, amounts never drop."""

import hashlib
import inspect
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from swap.chain.faults import SimulatedCrash, crash_at
from swap.core.eth_address import to_checksum_address
from swap.core.merkle import StandardMerkleTree, verify_proof
from swap.distributions.exceptions import (
    DistributionSourceError,
    NonMonotonicRoundError,
    PoolExceededError,
    RoundStateError,
)
from swap.distributions.models import DistributionEntry, DistributionRound, FrozenRoundError, RoundDump, RoundStatus
from swap.distributions.services.publishing import propose_round
from swap.distributions.services.rounds import create_round, freeze_round
from swap.distributions.sources import load_sources, pool_atomic
from swap.distributions.tasks import freeze_round_task
from swap.models import AppendOnlyError, AuditEvent
from tests.distributions import sources
from tests.distributions.conftest import SESH

pytestmark = pytest.mark.django_db

ALICE = "0x1111111111111111111111111111111111111111"
BOB = "0x2222222222222222222222222222222222222222"
MIXED = "0x52908400098527886E0F7030069857D2E4169EE7"  # an EIP-55 example address


def new_round(**kwargs):
    return create_round(cutoff=kwargs.get("cutoff", timezone.now()), actor="test")


def freeze(round_):
    return freeze_round(round_.pk, actor="test")


def test_freezing_writes_entries_root_and_dump_that_anyone_can_recompute(entitlements):
    entitlements.set(bonus={ALICE: 10 * SESH, MIXED.lower(): 1}, claims={ALICE: 5, BOB: 3 * SESH})
    round_ = freeze(new_round())
    assert round_.status == RoundStatus.FROZEN and round_.count == 3
    assert round_.total_atomic == 13 * SESH + 6
    assert (round_.bonus_total_atomic, round_.claims_total_atomic) == (10 * SESH + 1, 3 * SESH + 5)
    entries = {e.eth_address: e for e in round_.entries.all()}
    assert set(entries) == {ALICE, BOB, MIXED}, "addresses are stored in EIP-55 form"
    assert (entries[ALICE].bonus_atomic, entries[ALICE].claims_atomic, entries[ALICE].cumulative_atomic) == (
        10 * SESH, 5, 10 * SESH + 5)
    dump = RoundDump.objects.get(round=round_)
    assert hashlib.sha256(dump.text.encode()).hexdigest() == round_.dump_sha256
    tree = StandardMerkleTree.load(json.loads(dump.text))
    assert tree.root_hex == round_.root
    for entry in entries.values():
        assert verify_proof(round_.root, entry.eth_address, entry.cumulative_atomic, entry.proof_hex)
    event = AuditEvent.objects.get(tag="round:frozen")
    assert event.subject == "round:1" and event.data["root"] == round_.root and event.data["total_atomic"] == str(
        round_.total_atomic)
    assert sources.CALLS == [("bonus", round_.cutoff_at), ("claims", round_.cutoff_at)]


@hypothesis_settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    bonus=st.dictionaries(st.binary(min_size=20, max_size=20), st.integers(0, 10**15), max_size=12),
    claims=st.dictionaries(st.binary(min_size=20, max_size=20), st.integers(0, 10**15), max_size=12),
)
def test_every_round_adds_up_and_every_proof_verifies(entitlements, bonus, claims):
    bonus = {to_checksum_address(k): v for k, v in bonus.items() if any(k)}
    claims = {to_checksum_address(k): v for k, v in claims.items() if any(k)}
    if not any(bonus.values()) and not any(claims.values()):
        return
    with transaction.atomic():
        sid = transaction.savepoint()
        entitlements.set(bonus=bonus, claims=claims)
        round_ = freeze(new_round())
        entries = list(round_.entries.all())
        assert sum(e.cumulative_atomic for e in entries) == round_.total_atomic
        assert round_.total_atomic == sum(bonus.values()) + sum(claims.values())
        assert round_.bonus_total_atomic == sum(bonus.values())
        assert all(e.cumulative_atomic == e.bonus_atomic + e.claims_atomic > 0 for e in entries)
        assert all(verify_proof(round_.root, e.eth_address, e.cumulative_atomic, e.proof_hex) for e in entries)
        transaction.savepoint_rollback(sid)


def test_freezing_twice_freezes_once(entitlements):
    entitlements.set(bonus={ALICE: 1})
    round_ = new_round()
    freeze_round_task.apply(args=[round_.pk])
    freeze_round_task.apply(args=[round_.pk])  # a redelivered task
    assert DistributionEntry.objects.count() == 1
    assert AuditEvent.objects.filter(tag="round:frozen").count() == 1


def test_a_crash_halfway_through_freezing_leaves_a_draft_with_nothing_written(entitlements):
    entitlements.set(bonus={ALICE: 1, BOB: 2})
    round_ = new_round()
    with crash_at("freeze_entries_written"), pytest.raises(SimulatedCrash):
        freeze(round_)
    round_.refresh_from_db()
    assert round_.status == RoundStatus.DRAFT and round_.root == ""
    assert not DistributionEntry.objects.exists() and not RoundDump.objects.exists()
    assert not AuditEvent.objects.filter(tag="round:frozen").exists()
    assert freeze(round_).status == RoundStatus.FROZEN, "the retry freezes normally"


def test_a_cumulative_amount_may_never_drop_between_rounds(entitlements):
    entitlements.set(bonus={ALICE: 10, BOB: 5})
    freeze(new_round())
    entitlements.set(bonus={ALICE: 9, BOB: 6})
    second = new_round()
    with pytest.raises(NonMonotonicRoundError, match=f"{ALICE}: 10 → 9"):
        freeze(second)
    entitlements.set(bonus={ALICE: 10})  # Bob vanished: his 5 would become 0
    with pytest.raises(NonMonotonicRoundError, match=f"{BOB}: 5 → 0"):
        freeze(second)
    second.refresh_from_db()
    assert second.status == RoundStatus.DRAFT and not second.entries.exists()
    entitlements.set(bonus={ALICE: 10, BOB: 5}, claims={BOB: 1})
    assert freeze(second).status == RoundStatus.FROZEN


@pytest.mark.parametrize(
    ("bonus", "message"),
    [
        ({ALICE: 1.0}, "float, not int"),
        ({ALICE: Decimal(1)}, "Decimal, not int"),
        ({ALICE: True}, "bool, not int"),
        ({ALICE: -1}, "negative"),
        ({"0x123": 1}, "not 0x followed by 40 hex"),
        ({MIXED.lower(): 1, MIXED: 2}, "appears twice"),
        ({"0x52908400098527886e0F7030069857D2E4169EE7": 1}, "EIP-55"),
    ],
)
def test_a_source_that_returns_anything_but_exact_integers_per_address_is_refused(entitlements, bonus, message):
    entitlements.set(bonus=bonus)
    round_ = new_round()
    with pytest.raises(DistributionSourceError, match=message):
        freeze(round_)
    assert DistributionRound.objects.get(pk=round_.pk).status == RoundStatus.DRAFT


def test_a_program_over_its_pool_is_refused(entitlements):
    entitlements.set(claims={ALICE: pool_atomic("claims"), BOB: 1})
    with pytest.raises(PoolExceededError, match="claims"):
        freeze(new_round())


@pytest.mark.parametrize(("program", "setting"), [("bonus", "SNB_POOL_ATOMIC"), ("claims", "CLAIMS_POOL_ATOMIC")])
def test_the_pools_are_the_settings_so_a_smaller_pool_refuses_more(entitlements, settings, program, setting):
    """One source of truth: the pool a round may not exceed is the program's setting (docs/rules.md)."""
    setattr(settings, setting, 1_000 * SESH)
    entitlements.set(**{program: {ALICE: 600 * SESH, BOB: 400 * SESH + 1}})
    round_ = new_round()
    with pytest.raises(PoolExceededError, match=f"{program} entitlements total {1_000 * SESH + 1} atomic, above "
                                                f"the pool of {1_000 * SESH}"):
        freeze(round_)
    assert DistributionRound.objects.get(pk=round_.pk).status == RoundStatus.DRAFT
    entitlements.set(**{program: {ALICE: 600 * SESH, BOB: 400 * SESH}})
    assert freeze(round_).status == RoundStatus.FROZEN


def test_a_missing_source_module_fails_with_a_clear_error(settings):
    round_ = new_round()
    settings.DISTRIBUTION_SOURCES = {"bonus": "bonuses.services.nonexistent.bonus_entitlements"}
    with pytest.raises(DistributionSourceError, match="bonus.*cannot be imported.*DISTRIBUTION_SOURCES"):
        freeze(round_)
    settings.DISTRIBUTION_SOURCES = {"airdrop": "tests.distributions.sources.bonus"}
    with pytest.raises(DistributionSourceError, match="unknown programs"):
        freeze(round_)


def test_the_programs_own_sources_are_wired_in_and_take_the_cutoff():
    sources_by_program = load_sources()  # the project's setting, not a test's
    assert set(sources_by_program) == {"bonus", "claims"}
    for source in sources_by_program.values():
        assert "cutoff" in inspect.signature(source).parameters


def test_rounds_open_one_draft_at_a_time_with_cutoffs_moving_forward(entitlements):
    entitlements.set(bonus={ALICE: 1})
    first = new_round()
    with pytest.raises(RoundStateError, match="still a draft"):
        new_round()
    freeze(first)
    with pytest.raises(RoundStateError, match="before round 1"):
        new_round(cutoff=first.cutoff_at - timedelta(seconds=1))
    assert new_round().number == 2


def test_a_draft_cannot_be_published(entitlements):
    with pytest.raises(RoundStateError, match="draft"):
        propose_round(new_round().pk, actor="test")


class TestFrozenRowsNeverChange:
    @pytest.fixture
    def frozen(self, entitlements):
        entitlements.set(bonus={ALICE: 10, BOB: 20})
        return freeze(new_round())

    def test_entries_refuse_save_delete_and_bulk_changes(self, frozen):
        entry = frozen.entries.first()
        entry.cumulative_atomic += 1
        with pytest.raises(FrozenRoundError):
            entry.save()
        with pytest.raises(FrozenRoundError):
            entry.delete()
        with pytest.raises(AppendOnlyError):
            DistributionEntry.objects.update(cumulative_atomic=1)
        with pytest.raises(AppendOnlyError):
            DistributionEntry.objects.filter(round=frozen).delete()
        with pytest.raises(FrozenRoundError):
            RoundDump.objects.get(round=frozen).delete()

    def test_round_figures_refuse_save_bulk_update_and_delete(self, frozen):
        frozen.root = "0x" + "00" * 32
        with pytest.raises(FrozenRoundError, match="root"):
            frozen.save()
        with pytest.raises(FrozenRoundError):
            DistributionRound.objects.filter(pk=frozen.pk).update(total_atomic=1)
        with pytest.raises(FrozenRoundError):
            DistributionRound.objects.get(pk=frozen.pk).delete()
        with pytest.raises(FrozenRoundError):
            DistributionRound.objects.all().delete()

    @pytest.mark.parametrize(
        "sql",
        [
            "UPDATE distributions_distributionentry SET cumulative_atomic = cumulative_atomic + 1",
            "UPDATE distributions_distributionround SET root = '0x00'",
            "UPDATE distributions_distributionround SET total_atomic = total_atomic + 1, bonus_total_atomic = "
            "bonus_total_atomic + 1",
            "UPDATE distributions_distributionround SET status = 'draft'",
            "UPDATE distributions_rounddump SET text = '{}'",
        ],
    )
    def test_the_database_refuses_raw_sql_that_would_rewrite_them(self, frozen, sql):
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
        frozen_again = DistributionRound.objects.get(pk=frozen.pk)
        assert (frozen_again.root, frozen_again.total_atomic) == (frozen.root, frozen.total_atomic)

    def test_the_database_refuses_a_raw_entry_added_to_a_frozen_round(self, frozen):
        sql = (
            "INSERT INTO distributions_distributionentry (round_id, eth_address, bonus_atomic, claims_atomic,"
            " cumulative_atomic, proof) SELECT r.id, '0x000000000000000000000000000000000000dEaD', 0, 5, 5, e.proof"
            " FROM distributions_distributionround r, distributions_distributionentry e WHERE r.id = %s LIMIT 1"
        )
        count = DistributionEntry.objects.filter(round=frozen).count()
        with pytest.raises((IntegrityError, DatabaseError), match="no entry can be added"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [frozen.pk])
        assert DistributionEntry.objects.filter(round=frozen).count() == count

    def test_status_may_still_move_on(self, frozen):
        assert DistributionRound.objects.filter(pk=frozen.pk).update(activated_at=timezone.now()) == 1


def test_no_money_field_is_a_float_or_decimal():
    from django.apps import apps

    for label in ("distributions", "chain"):
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.concrete_fields:
                assert not isinstance(field, models.FloatField | models.DecimalField), f"{model.__name__}.{field.name}"
