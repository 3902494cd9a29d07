"""Fixtures reused: the claims world (the Oxen simulator's wallet) and the local L2 with deployed contracts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from swap.monitoring import probes
from tests.claims.conftest import claims_settings, sim, world  # noqa: F401 - fixtures reused as they are
from tests.distributions.conftest import deployed, entitlements, l2  # noqa: F401 - the same


@pytest.fixture(autouse=True)
def _fresh_probe_clients() -> Iterator[None]:
    """Probe clients are cached per (URL, timeout); a test's peers are its own."""
    for cached in (probes._oxend, probes._wallet, probes._l2):
        cached.cache_clear()
    yield
