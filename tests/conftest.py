"""Shared test fixtures: the local chain, the test-pass rules for real services, a clean cache.

`make test` runs the suite twice: on SQLite with tasks in-process, then on PostgreSQL with Redis
as broker and cache. Tests marked `postgres` or `redis` are skipped only in the first pass; in
the second (`SWAP_REQUIRE_SERVICES=1`) a missing service is a failure, never a skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.cache import cache

from swap.chain import authorization
from swap.chain.anvil import AnvilNode, start_anvil
from swap.chain.models import L2Transaction
from swap.core.eth_address import normalize_eth_address

REQUIRE_SERVICES = os.environ.get("SWAP_REQUIRE_SERVICES") == "1"


def _uses_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith(".postgresql")


def _uses_redis() -> bool:
    return bool(settings.CELERY_BROKER_URL) and "redis" in settings.CACHES["default"]["BACKEND"].lower()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    missing = {"postgres": not _uses_postgres(), "redis": not _uses_redis()}
    for item in items:
        for marker, is_missing in missing.items():
            if marker in item.keywords and is_missing:
                if REQUIRE_SERVICES:
                    raise pytest.UsageError(f"{item.nodeid} needs {marker}, which this services pass lacks")
                item.add_marker(pytest.mark.skip(reason=f"needs {marker}: runs in the services pass of make test"))


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    """Rate-limit counters live in the cache; no test may see another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def anvil_session() -> Iterator[AnvilNode]:
    """One anvil process for the whole test session (started on first use)."""
    node = start_anvil()
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture
def anvil(anvil_session: AnvilNode) -> Iterator[AnvilNode]:
    """The session's anvil, reverted after the test to the state it had before."""
    snapshot_id = anvil_session.snapshot()
    try:
        yield anvil_session
    finally:
        anvil_session.revert(snapshot_id)


# Outbox mechanics tests drive plain value transfers through the outbox. A transfer's effect is a
# balance, which counts exactly how many times a transaction took effect, so "exactly once" is an
# equality, not a guess; a contract call that is idempotent on chain could not show a double send.
# The production policy signs nothing but the distributor's three calls, re-derived from their
# owners: that policy is tested with the real contracts in tests/distributions/test_root_safety.py.
@pytest.fixture
def transfers_to(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[str]]:
    """A set of addresses: `other` transactions to them are signable in this test (and nothing else more)."""
    targets: set[str] = set()
    real_check, real_authorize = authorization.check_allowlist, authorization.authorize

    def is_test_target(purpose: str, to: str) -> bool:
        return purpose == L2Transaction.Purpose.OTHER and bool(to) and normalize_eth_address(to) in targets

    def check_allowlist(*, purpose: str, to: str, data: str, value_wei: int) -> None:
        if not is_test_target(purpose, to):
            real_check(purpose=purpose, to=to, data=data, value_wei=value_wei)

    def authorize(tx: L2Transaction) -> None:
        if not is_test_target(tx.purpose, tx.to_address):
            real_authorize(tx)

    monkeypatch.setattr(authorization, "check_allowlist", check_allowlist)
    monkeypatch.setattr(authorization, "authorize", authorize)
    yield targets
