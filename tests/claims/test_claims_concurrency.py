"""Polls running at the same time on PostgreSQL: every deposit credited once, the pool never exceeded.

Each layer is taken away in turn (the task's cache lock, the poll's advisory lock, the ledger row
lock): what remains still credits each deposit exactly once and never passes the pool.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from claims.exceptions import LedgerInconsistent
from claims.models import ClaimCredit, ClaimsLedger, Deposit, DepositState
from claims.services import crediting, watcher
from claims.services.crediting import ConcurrentChange
from claims.tasks import poll_deposits_task
from tests.claims.claims_world import OXEN, World

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 4
POOL = 100 * OXEN


def together(action: Callable[[], Any], threads: int = THREADS) -> list[Any]:
    """Run `action` in `threads` threads released at the same instant; each result or exception."""
    barrier = threading.Barrier(threads)

    def one(_: int) -> Any:
        try:
            barrier.wait()
            return action()
        except Exception as error:  # noqa: BLE001 - the caller judges every outcome
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, range(threads)))


@pytest.fixture
def busy_world(world: World, settings) -> World:  # type: ignore[no-untyped-def]
    """12 deposits on 6 claims wanting 2 × 60 = 120 SESH of a 100 SESH pool (rate 2).

    They are already recorded as `seen` and have just reached 10 confirmations, so racing polls
    compete for the credits themselves.
    """
    settings.CLAIMS_POOL_ATOMIC = POOL
    world.snapshot(emission=50 * OXEN, burned=0, excluded=())
    for _ in range(6):
        claim = world.open()
        world.pay(claim, 3 * OXEN, height=91)
        world.pay(claim, 7 * OXEN, height=95)
    assert world.poll().new == 12
    world.mine(10)
    return world


def assert_credited_once_within_the_pool() -> None:
    credits = list(ClaimCredit.objects.all())
    assert len({c.deposit_id for c in credits}) == len(credits)
    assert len({(c.txid, c.account_index, c.address_index) for c in credits}) == len(credits)
    total = sum(c.sesh_atomic for c in credits)
    assert total <= POOL
    ledger = ClaimsLedger.objects.get()
    assert (ledger.credited_sesh_atomic, ledger.credit_count) == (total, len(credits))
    assert Deposit.objects.filter(state=DepositState.CREDITED).count() == len(credits)


def test_two_task_runs_at_the_same_time_credit_each_deposit_once(busy_world: World) -> None:
    results = together(lambda: poll_deposits_task.apply().get(), threads=2)
    assert not [r for r in results if isinstance(r, Exception)], results
    for _ in range(2):
        poll_deposits_task.apply().get()
    assert_credited_once_within_the_pool()
    assert sum(c.sesh_atomic for c in ClaimCredit.objects.all()) == POOL  # filled exactly, then held


def test_polls_without_the_task_lock_take_turns_on_the_advisory_lock(busy_world: World) -> None:
    results = together(busy_world.poll)
    statuses = Counter(r.status if not isinstance(r, Exception) else repr(r) for r in results)
    assert set(statuses) <= {"applied", "busy"} and statuses["applied"] >= 1, statuses
    busy_world.poll()
    assert_credited_once_within_the_pool()
    assert ClaimCredit.objects.count() == 11  # 10 in full, 1 capped; 1 held: the pool is exhausted


@contextmanager
def _no_lock() -> Iterator[bool]:
    yield True


def test_without_the_advisory_lock_the_ledger_row_lock_serializes_crediting(
    busy_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(watcher, "poll_lock", _no_lock)
    results = together(busy_world.poll)
    assert all(not isinstance(r, Exception) and r.status == "applied" for r in results), results
    assert sum(r.credited for r in results) == 11
    assert_credited_once_within_the_pool()


@pytest.mark.parametrize("cross_check", [True, False], ids=["ledger-cross-check", "constraints-only"])
def test_without_any_lock_the_database_still_forbids_a_double_credit(
    busy_world: World, monkeypatch: pytest.MonkeyPatch, cross_check: bool
) -> None:
    """Fault injection: no advisory lock, no row lock (and maybe no totals cross-check).

    Racing transactions then fail and roll back on the totals cross-check, the compare-and-swap
    of the deposit states, or the unique and check constraints: never a second credit.
    """

    def unlocked_ledger() -> ClaimsLedger:
        assert transaction.get_connection().in_atomic_block
        return ClaimsLedger.objects.get_or_create(pk=1)[0]

    monkeypatch.setattr(watcher, "poll_lock", _no_lock)
    monkeypatch.setattr(crediting, "locked_ledger", unlocked_ledger)
    if not cross_check:
        monkeypatch.setattr(crediting, "_check_ledger", lambda ledger: None)
    results = together(busy_world.poll, threads=6)
    for result in results:
        assert not isinstance(result, Exception) or isinstance(
            result, (ConcurrentChange, LedgerInconsistent, DatabaseError)), repr(result)
    assert_credited_once_within_the_pool()
    busy_world.poll()  # whatever a failed run left is credited by the next one
    assert_credited_once_within_the_pool()
    assert ClaimCredit.objects.count() == 11
