"""Chain test fixtures: outbox mechanics tests drive plain value transfers, under a test signing policy.

A transfer's effect is a balance, which counts exactly how many times a transaction took effect,
so "exactly once" is an equality, not a guess; a contract call that is idempotent on chain could
not show a double send. The production policy signs nothing but the distributor's three calls,
re-derived from their owners: that policy is tested with the real contracts in
tests/distributions/test_outbox_authorization.py. Here it also admits `other` transactions to the
targets a test names, and refuses everything else exactly as in production.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from swap.chain import authorization
from swap.chain.models import L2Transaction
from swap.core.eth_address import normalize_eth_address


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
