"""Fixtures of the distribution tests: the local L2 and a deployed token + distributor."""

import pytest

from tests.distributions.l2 import harness


@pytest.fixture
def l2(settings, anvil):
    """The session's anvil as the service's L2 (reverted after the test)."""
    yield from harness(settings, anvil)
