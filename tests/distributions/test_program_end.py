"""The program's end on the real contracts and the real 2-of-3 Safe: announce, close, withdraw the remainder."""

import io

import pytest
from django.core.management import call_command

from swap.audit import AuditEvent
from swap.chain import admin_actions, contracts, program_end, safe
from swap.chain.local import execute_as_safe, safe_owner_keys
from swap.chain.models import L2Transaction, ProgramEndAnnouncement, RemainderWithdrawal
from swap.chain.tasks import sync_program_end_task
from swap.core.program_end import MIN_END_NOTICE_SECONDS

pytestmark = pytest.mark.django_db(transaction=True)

SESH = 10**9
REWARD_POOL = "0x00000000000000000000000000000000000Fee01"


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def refused(capsys, *args) -> str:
    with pytest.raises(SystemExit) as exit_:
        call_command(*args)
    assert exit_.value.code == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    return lines[0]


@pytest.fixture
def ended(deployed, l2, settings):
    """An end announced through the Safe, then the chain's clock past it."""
    settings.PROGRAM_REWARD_POOL_ADDRESS = REWARD_POOL
    now = admin_actions.chain_time(l2.client)
    end = now + MIN_END_NOTICE_SECONDS + 600
    run("program_end", "announce", str(end), "--execute")
    l2.advance_time(end - now + 1)
    return end


def test_it_announces_an_end_the_chain_holds_and_refuses_earlier_ones(deployed, l2, capsys):
    now = admin_actions.chain_time(l2.client)
    too_soon = refused(capsys, "program_end", "announce", str(now + MIN_END_NOTICE_SECONDS - 60))
    assert "at least 90 days' notice" in too_soon
    end = now + MIN_END_NOTICE_SECONDS + 3600
    out = run("program_end", "announce", str(end), "--execute")
    assert "program end announced" in out
    assert contracts.distributor_state(l2.client, deployed.distributor).end_time == end
    assert program_end.program_end().end_time == end
    assert AuditEvent.objects.filter(tag="program:end_announced").count() == 1

    earlier = refused(capsys, "program_end", "announce", str(end - 60))
    assert f"only move later than unix time {end}" in earlier
    assert "already announced" in run("program_end", "record")  # idempotent: no second row
    run("program_end", "announce", str(end + 86_400), "--execute")
    assert [a.end_time for a in ProgramEndAnnouncement.objects.all()] == [end + 86_400, end]


def test_it_closes_claims_only_after_the_chain_passed_the_close(deployed, l2, capsys, settings):
    now = admin_actions.chain_time(l2.client)
    end = now + MIN_END_NOTICE_SECONDS + 600
    run("program_end", "announce", str(end), "--execute")
    assert "not before" in refused(capsys, "program_end", "close")
    assert not program_end.is_closed()
    closes = program_end.closes_at(end)
    assert closes == end - settings.L2_ACTIVATION_DELAY_SECONDS - settings.PROGRAM_FINAL_ROUND_MARGIN_SECONDS
    l2.advance_time(closes - now)
    assert "claims and registrations closed" in run("program_end", "close")
    assert "already closed" in run("program_end", "close")
    assert program_end.is_closed()


def test_the_remainder_is_refused_before_the_end(deployed, l2, settings, capsys):
    settings.PROGRAM_REWARD_POOL_ADDRESS = REWARD_POOL
    assert "has not ended" in refused(capsys, "withdraw_remainder")
    now = admin_actions.chain_time(l2.client)
    run("program_end", "announce", str(now + MIN_END_NOTICE_SECONDS + 600), "--execute")
    assert "has not ended" in refused(capsys, "withdraw_remainder", "--demo-owners")
    assert not RemainderWithdrawal.objects.exists()


def test_the_remainder_goes_to_the_reward_pool_once_through_the_outbox(ended, deployed, l2, capsys):
    before = contracts.token_balance(l2.client, deployed.token, deployed.distributor)
    first = run("withdraw_remainder")
    row = RemainderWithdrawal.objects.get()
    assert row.safe_tx_hash in first and "--signature" in first
    assert row.safe_tx_hash in run("withdraw_remainder")  # prepared once, shown again
    assert RemainderWithdrawal.objects.count() == 1

    tx = safe.SafeTransaction(safe=row.safe, chain_id=row.chain_id, to=row.distributor, data=row.data,
                              nonce=row.safe_nonce)
    owner, signature = safe.sign(tx, safe_owner_keys()[0])
    assert "the Safe needs 2" in refused(capsys, "withdraw_remainder", "--signature", f"{owner}:0x{signature.hex()}")
    stranger = refused(capsys, "withdraw_remainder", "--signature", f"{REWARD_POOL}:0x{signature.hex()}")
    assert "not an owner" in stranger or f"is by {owner}" in stranger

    second_owner, second = safe.sign(tx, safe_owner_keys()[1])
    run("withdraw_remainder", "--signature", f"{owner}:0x{signature.hex()}",
        "--signature", f"{second_owner}:0x{second.hex()}")
    row.refresh_from_db()
    assert row.status == RemainderWithdrawal.Status.QUEUED and row.transaction.purpose == "withdraw_remainder"
    l2.settle()
    row.refresh_from_db()
    assert row.status == RemainderWithdrawal.Status.CONFIRMED
    assert row.amount_atomic == before == contracts.token_balance(l2.client, deployed.token, REWARD_POOL)
    assert contracts.token_balance(l2.client, deployed.token, deployed.distributor) == 0
    tags = list(AuditEvent.objects.filter(tag__startswith="program:remainder").values_list("tag", flat=True))
    assert sorted(tags) == ["program:remainder_confirmed", "program:remainder_prepared", "program:remainder_queued"]

    assert "already withdrawn" in refused(capsys, "withdraw_remainder", "--demo-owners")


def test_a_preparation_overtaken_by_another_safe_transaction_is_abandoned_then_prepared_again(
        ended, deployed, l2, capsys):
    run("withdraw_remainder")
    stale = RemainderWithdrawal.objects.get()
    assert "can execute" in refused(capsys, "withdraw_remainder", "--abandon")  # still signable: kept
    # The owners execute something else at that nonce first.
    action = admin_actions.grant_role(l2.client, deployed.distributor, "pauser", REWARD_POOL)
    execute_as_safe(l2.client, deployed.safe, to=deployed.distributor, data=action.data)
    assert "--abandon" in refused(capsys, "withdraw_remainder", "--demo-owners")
    assert "abandoned" in run("withdraw_remainder", "--abandon")
    stale.refresh_from_db()
    assert stale.status == RemainderWithdrawal.Status.FAILED
    assert AuditEvent.objects.filter(tag="program:remainder_abandoned", subject=f"remainder:{stale.pk}").count() == 1
    assert "no prepared" in refused(capsys, "withdraw_remainder", "--abandon")
    run("withdraw_remainder", "--demo-owners")  # prepared at the next nonce and queued
    l2.settle()
    fresh = RemainderWithdrawal.objects.exclude(pk=stale.pk).get()
    assert fresh.safe_nonce == stale.safe_nonce + 1 and fresh.status == RemainderWithdrawal.Status.CONFIRMED


def test_a_crash_while_queueing_leaves_it_prepared_and_the_step_runs_again(ended, deployed, l2, monkeypatch, capsys):
    run("withdraw_remainder")

    def crash(*args, **kwargs):
        raise RuntimeError("worker killed mid-step")

    real = program_end.record_event
    monkeypatch.setattr(program_end, "record_event", crash)
    with pytest.raises(RuntimeError, match="killed"):
        call_command("withdraw_remainder", "--demo-owners", stdout=io.StringIO())
    row = RemainderWithdrawal.objects.get()
    assert row.status == RemainderWithdrawal.Status.PREPARED and row.transaction is None and not row.signatures
    assert not L2Transaction.objects.filter(purpose="withdraw_remainder").exists()

    monkeypatch.setattr(program_end, "record_event", real)
    run("withdraw_remainder", "--demo-owners")
    l2.settle()
    row.refresh_from_db()
    assert row.status == RemainderWithdrawal.Status.CONFIRMED and row.amount_atomic == 1_000 * SESH


def test_the_outbox_refuses_a_withdrawal_row_edited_to_pay_someone_else(ended, deployed, l2, settings):
    run("withdraw_remainder", "--demo-owners")
    settings.PROGRAM_REWARD_POOL_ADDRESS = "0x00000000000000000000000000000000000bAd01"
    l2.settle()
    tx = L2Transaction.objects.get(purpose="withdraw_remainder")
    assert tx.status == L2Transaction.Status.FAILED and "PROGRAM_REWARD_POOL_ADDRESS" in tx.error
    assert contracts.token_balance(l2.client, deployed.token, deployed.distributor) == 1_000 * SESH


def test_a_crash_while_recording_closing_or_preparing_leaves_nothing_and_the_step_runs_again(
        deployed, l2, settings, monkeypatch):
    settings.PROGRAM_REWARD_POOL_ADDRESS = REWARD_POOL
    now = admin_actions.chain_time(l2.client)
    end = now + MIN_END_NOTICE_SECONDS + 600
    real = program_end.record_event

    def crash(*args, **kwargs):
        raise RuntimeError("worker killed mid-step")

    def crashing(*args):
        monkeypatch.setattr(program_end, "record_event", crash)
        with pytest.raises(RuntimeError, match="killed"):
            call_command(*args, stdout=io.StringIO())
        monkeypatch.setattr(program_end, "record_event", real)
        assert not AuditEvent.objects.filter(tag__startswith="program:").exclude(
            tag__in=done).exists()

    done: list[str] = []
    crashing("program_end", "announce", str(end), "--execute")  # the Safe executed it; recording it crashed
    assert not ProgramEndAnnouncement.objects.exists()
    assert "program end announced" in run("program_end", "record")
    done.append("program:end_announced")

    l2.advance_time(end - now + 1)
    crashing("program_end", "close")
    assert not program_end.ProgramClosure.objects.exists()
    assert "claims and registrations closed" in run("program_end", "close")
    done.append("program:closed")

    crashing("withdraw_remainder")
    assert not RemainderWithdrawal.objects.exists()
    run("withdraw_remainder", "--demo-owners")
    l2.settle()
    assert RemainderWithdrawal.objects.get().status == RemainderWithdrawal.Status.CONFIRMED


def test_beat_follows_an_end_the_safe_set_and_closes_claims_once_the_chain_passed_the_close(deployed, l2):
    assert sync_program_end_task.apply().get() == "no end set"
    now = admin_actions.chain_time(l2.client)
    end = now + MIN_END_NOTICE_SECONDS + 600
    run("safe_admin", "set-end-time", str(end), "--execute")  # the owners executed it; nobody ran program_end
    assert program_end.program_end() is None
    assert sync_program_end_task.apply().get() == "announced"
    assert program_end.program_end().end_time == end
    assert sync_program_end_task.apply().get() == "unchanged"
    run("safe_admin", "set-end-time", str(end + 86_400), "--execute")  # moved later
    assert sync_program_end_task.apply().get() == "announced"
    assert ProgramEndAnnouncement.objects.count() == 2
    l2.advance_time(program_end.closes_at(end + 86_400) - now)
    assert sync_program_end_task.apply().get() == "closed"
    assert program_end.program_end().closed_at is not None
