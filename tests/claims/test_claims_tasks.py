"""The claims tasks: thin, single-flight by a cache lock, retried on a wallet outage."""

from __future__ import annotations

import pytest
from celery.exceptions import Retry
from django.core.cache import cache

from claims.exceptions import WalletRpcTransientError
from claims.models import ClaimCredit, Deposit
from claims.services import config
from claims.tasks import POLL_LOCK_KEY, poll_deposits_task
from swap.oxen_rpc import RetryPolicy
from tests.claims.claims_world import OXEN, World

pytestmark = pytest.mark.django_db


def test_the_task_polls_and_credits(world: World) -> None:
    world.snapshot()
    world.pay(world.open(), 2 * OXEN, height=80)
    outcome = poll_deposits_task.apply().get()
    assert (outcome["status"], outcome["credited"]) == ("applied", 1)
    assert cache.get(POLL_LOCK_KEY) is None


def test_a_second_run_skips_while_the_first_holds_the_lock(world: World) -> None:
    cache.add(POLL_LOCK_KEY, "another run", timeout=60)
    assert poll_deposits_task.apply().get() is None
    assert world.sim.wallet_rpc.requests.count("get_height") == 0
    assert cache.get(POLL_LOCK_KEY) == "another run"  # not ours to release


def test_without_a_wallet_configured_the_task_does_nothing(claims_settings) -> None:  # type: ignore[no-untyped-def]
    claims_settings.OXEN_WALLET_RPC_URL = ""
    assert poll_deposits_task.apply().get() is None


def test_a_wallet_outage_is_retried_and_writes_nothing(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "POLL_RETRY", RetryPolicy(attempts=1))
    config._client.cache_clear()
    world.snapshot()
    world.pay(world.open(), 2 * OXEN, height=80)
    world.sim.wallet_rpc.go_down()
    with pytest.raises(Retry) as retry:  # Celery schedules the task again, with backoff
        poll_deposits_task.apply(throw=True).get()
    assert isinstance(retry.value.exc, WalletRpcTransientError)
    assert world.sim.wallet_rpc.requests.count("get_height") == 0  # refused connections never reach the log
    assert not Deposit.objects.exists() and cache.get(POLL_LOCK_KEY) is None
    world.sim.wallet_rpc.go_up()
    assert poll_deposits_task.apply().get()["credited"] == 1
    assert ClaimCredit.objects.count() == 1
