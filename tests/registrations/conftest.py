"""Fixtures for registration tests: real wallets, and rate limits high unless a test lowers them."""

from __future__ import annotations

import pytest

from tests.registrations.wallets import Wallet


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    """Most tests submit many refusals on purpose; the rate-limit tests set their own limits."""
    settings.REGISTRATION_RATE_LIMIT_IP = "1000/hour"
    settings.REGISTRATION_RATE_LIMIT_ADDRESS = "1000/hour"
    settings.OXEN_NETWORK = "mainnet"


@pytest.fixture
def wallet() -> Wallet:
    return Wallet()
