"""Fixtures of the distribution tests: the local L2, a real entitlement source, deployed contracts."""

from dataclasses import dataclass

import pytest

from swap.chain.local import LocalDeployment, deploy_local_contracts
from tests.distributions import sources
from tests.distributions.l2 import harness

SESH = 10**9


@pytest.fixture
def l2(settings, anvil):
    """The session's anvil as the service's L2 (reverted after the test)."""
    yield from harness(settings, anvil)


@dataclass
class Entitlements:
    """Set what the two programs report: `entitlements.set(bonus={...}, claims={...})`."""

    def set(self, *, bonus=None, claims=None):
        sources.AMOUNTS["bonus"] = dict(bonus or {})
        sources.AMOUNTS["claims"] = dict(claims or {})


@pytest.fixture
def entitlements(settings):
    settings.DISTRIBUTION_SOURCES = {
        "bonus": "tests.distributions.sources.bonus",
        "claims": "tests.distributions.sources.claims",
    }
    sources.AMOUNTS.update(bonus={}, claims={})
    sources.CALLS.clear()
    yield Entitlements()
    sources.AMOUNTS.update(bonus={}, claims={})


@pytest.fixture
def deployed(l2, settings) -> LocalDeployment:
    """TestSESH, a 2-of-3 Safe and SwapDistributor (the Safe its admin); the distributor holds 1,000 SESH."""
    deployment = deploy_local_contracts(supply_atomic=1_000_000 * SESH, fund_atomic=1_000 * SESH)
    settings.L2_TOKEN_ADDRESS = deployment.token
    settings.L2_SAFE_ADDRESS = deployment.safe
    settings.L2_DISTRIBUTOR_ADDRESS = deployment.distributor
    settings.L2_DISTRIBUTOR_DEPLOY_BLOCK = deployment.deploy_block
    return deployment
