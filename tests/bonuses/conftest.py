"""Service Node Bonus test settings: a short program so heights stay readable."""

from __future__ import annotations

import pytest


@pytest.fixture
def snb(settings):  # type: ignore[no-untyped-def]
    """A program earning at heights [1000, 2000), gaps over 30 blocks flagged."""
    settings.SNB_START_HEIGHT = 1000
    settings.SNB_FINAL_HEIGHT = 2000
    settings.SNB_GAP_BLOCKS = 30
    settings.SNB_POOL_ATOMIC = 30_000_000 * 10**9
    return settings
