"""The API world (`world.py`) with the simulator on free loopback ports."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from claims.services import config
from swap.simulator import OxenSimulator
from tests.api.world import ApiWorld, build


@pytest.fixture
def sim() -> Iterator[OxenSimulator]:
    with OxenSimulator(length=100) as simulator:
        yield simulator


@pytest.fixture
def api_world(settings, sim: OxenSimulator) -> Iterator[ApiWorld]:  # type: ignore[no-untyped-def]
    yield build(settings, sim)
    config._client.cache_clear()
