"""The published round files keep their exact bytes: their sha256s are public.

A fixed world (deterministic wallets, snapshots and amounts) is published through the API and
each file's sha256 is pinned to what the service published before the CSV writer was shared
with the admin exports (issue 22): neutralising spreadsheet formulas must never touch a file that
anyone verifies. Entries, bonus inputs and snapshot digests, live and per round.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from bonuses.services.ingest import ingest_snapshot
from swap.distributions.services.rounds import create_round, freeze_round
from tests.bonuses.snb_scenarios import ETH_1, ETH_2, ETH_3, Wallet, node, result
from tests.distributions import sources

pytestmark = pytest.mark.django_db
SESH = 10**9
EARLY = datetime(2023, 10, 1, tzinfo=UTC)

# Computed on main at 4bb9158, before the writers were shared.
PINNED = {
    "/api/v1/rounds/1/entries.csv": "2ec3f176646c89898e61a864775a47e5e5b075a38f01043c039f3610d2a6841c",
    "/api/v1/rounds/1/bonus-inputs.csv": "4165ef1ee54c6fef111a158aa1dca0fb62abcde1827e3d988a3d6e7828eae7da",
    "/api/v1/rounds/1/bonus-snapshots.csv": "1bdc0cfeb0a48a0af61c53a3ed14a787537719f99d9d9107b3489776f727b359",
    "/api/v1/bonus-inputs.csv": "4165ef1ee54c6fef111a158aa1dca0fb62abcde1827e3d988a3d6e7828eae7da",
    "/api/v1/bonus-snapshots.csv": "1bdc0cfeb0a48a0af61c53a3ed14a787537719f99d9d9107b3489776f727b359",
    "/api/v1/rounds/1/dump.json": "873256c5b3350c5a1a2c4c6142bb84af4e0118b699f0a5f113d4aaf67ef23fbf",
}


@pytest.fixture
def published(settings):
    settings.SNB_START_HEIGHT, settings.SNB_FINAL_HEIGHT = 1000, 2000
    settings.SNB_POOL_ATOMIC = 30_000_000 * SESH
    settings.DISTRIBUTION_SOURCES = {"bonus": "tests.distributions.sources.bonus",
                                     "claims": "tests.distributions.sources.claims"}
    alice, bob, carol = (Wallet(f"published-{name}") for name in ("alice", "bob", "carol"))
    alice.register(ETH_1, at=EARLY)
    bob.register(ETH_2, at=EARLY)
    carol.register(ETH_3, at=EARLY)
    nodes = [node("p1", (alice.address, 10_000), (bob.address, 5_000)), node("p2", (carol.address, 15_000))]
    for height in (1000, 1010, 1025):
        ingest_snapshot(result(height, *nodes), source="import", final=True)
    sources.AMOUNTS.update(bonus={ETH_1: 12 * SESH + 1, ETH_2: 6 * SESH, ETH_3: 7}, claims={ETH_1: 34, ETH_3: 5 * SESH})
    try:
        freeze_round(create_round(cutoff=timezone.now(), actor="test").pk, actor="test")
    finally:
        sources.AMOUNTS.update(bonus={}, claims={})


@pytest.mark.parametrize("path", PINNED)
def test_a_published_file_keeps_its_bytes(client, published, path):
    response = client.get(path)
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == PINNED[path], response.content.decode()[:2000]
