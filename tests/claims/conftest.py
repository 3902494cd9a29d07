"""Fixtures for claims tests: the simulator on free ports and the claims settings pointing at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from claims.services import config
from swap.simulator import OxenSimulator
from tests.claims.claims_world import ACCOUNT, World, make_world


@pytest.fixture
def sim() -> Iterator[OxenSimulator]:
    with OxenSimulator(length=100) as simulator:
        yield simulator


@pytest.fixture
def claims_settings(settings, sim: OxenSimulator):  # type: ignore[no-untyped-def]
    """Defaults of docs/rules.md, the wallet at the simulator, generous rate limits."""
    settings.OXEN_NETWORK = "mainnet"
    settings.OXEN_WALLET_RPC_URL = sim.wallet_url
    settings.OXEN_WALLET_RPC_LOGIN = ""
    settings.OXEN_WALLET_ACCOUNT_INDEX = ACCOUNT
    settings.CLAIMS_POOL_ATOMIC = 30_000_000 * 10**9
    settings.CLAIMS_CONFIRMATIONS = 10
    settings.CLAIMS_MIN_DEPOSIT_ATOMIC = 10**9
    settings.CLAIMS_MULTIPLIER_SCHEDULE = ""
    settings.CLAIMS_REDUCED_MULTIPLIER_ENABLED = False
    settings.CLAIMS_TGE_TIME = ""
    settings.CLAIMS_SCAN_MARGIN_BLOCKS = 720
    settings.CLAIMS_OPEN_RATE_LIMIT_IP = "1000/hour"
    settings.REGISTRATION_RATE_LIMIT_IP = "1000/hour"
    settings.REGISTRATION_RATE_LIMIT_ADDRESS = "1000/hour"
    config._client.cache_clear()
    yield settings
    config._client.cache_clear()


@pytest.fixture
def world(claims_settings, sim: OxenSimulator) -> World:  # type: ignore[no-untyped-def]
    return make_world(sim)
