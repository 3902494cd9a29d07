"""A complete world for the API's examples and its fuzzer: every operation can answer 2xx.

Real peers only: the Oxen simulator's wallet over loopback HTTP (claims get real subaddresses),
a supply snapshot (claims have a rate), two final service-node snapshots in which the schema's
example wallet stakes (points, bonus inputs), and a frozen round holding the example ETH address
(proofs, dump, CSV). The example wallet itself is *not* registered: posting the schema's
registration example does that, as a client would.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from bonuses.services.ingest import ingest_snapshot
from claims.services import config
from swap.api import examples
from swap.distributions.models import DistributionRound
from swap.distributions.services.rounds import create_round, freeze_round
from swap.simulator import OxenSimulator
from tests.bonuses.snb_scenarios import node, result
from tests.claims.claims_world import ACCOUNT, make_world
from tests.distributions import sources

SESH = 10**9


@dataclass
class ApiWorld:
    sim: OxenSimulator
    round: DistributionRound


def configure(settings, sim: OxenSimulator) -> None:  # type: ignore[no-untyped-def]
    """Settings of the test configuration the API runs with: mainnet, generous limits, local peers."""
    settings.OXEN_NETWORK = "mainnet"
    settings.OXEN_WALLET_RPC_URL = sim.wallet_url
    settings.OXEN_WALLET_RPC_LOGIN = ""
    settings.OXEN_WALLET_ACCOUNT_INDEX = ACCOUNT
    settings.REGISTRATION_RATE_LIMIT_IP = "100000/hour"
    settings.REGISTRATION_RATE_LIMIT_ADDRESS = "100000/hour"
    settings.CLAIMS_OPEN_RATE_LIMIT_IP = "100000/hour"
    settings.SNB_START_HEIGHT, settings.SNB_FINAL_HEIGHT = 1000, 2000
    settings.SNB_POOL_ATOMIC = settings.CLAIMS_POOL_ATOMIC = 30_000_000 * SESH
    settings.DISTRIBUTION_SOURCES = {"bonus": "tests.distributions.sources.bonus",
                                     "claims": "tests.distributions.sources.claims"}
    settings.L2_DISTRIBUTOR_ADDRESS = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
    config._client.cache_clear()


def build(settings, sim: OxenSimulator) -> ApiWorld:  # type: ignore[no-untyped-def]
    configure(settings, sim)
    make_world(sim).snapshot()
    staked = [node("api-node", (examples.OXEN_ADDRESS, 15_000))]
    for height in (1000, 1015):
        ingest_snapshot(result(height, *staked), source="import", final=True)
    sources.AMOUNTS.update(bonus={examples.ETH_ADDRESS: 5 * SESH}, claims={examples.ETH_ADDRESS: 7 * SESH})
    try:
        draft = create_round(cutoff=timezone.now() - timedelta(seconds=1), actor="test")
        frozen = freeze_round(draft.pk, actor="test")
    finally:
        sources.AMOUNTS.update(bonus={}, claims={})
    assert frozen.number == examples.ROUND
    return ApiWorld(sim, frozen)
