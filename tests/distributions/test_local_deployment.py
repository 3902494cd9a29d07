"""The local deployment has production's shape: a 2-of-3 Safe as admin, one role per key."""

import pytest

from swap.chain import contracts, safe
from swap.chain.client import get_client

pytestmark = pytest.mark.chain


def test_the_safe_is_the_only_admin_and_each_key_holds_one_job(deployed):
    client = get_client()
    assert safe.threshold(client, deployed.safe) == 2
    assert len(safe.owners(client, deployed.safe)) == 3
    assert contracts.roles_of(client, deployed.distributor, deployed.safe) == ["admin"]
    assert contracts.roles_of(client, deployed.distributor, deployed.publisher) == ["publisher"]
    assert contracts.roles_of(client, deployed.distributor, deployed.guardian) == ["pauser", "guardian"]
    for owner in deployed.safe_owners:
        assert contracts.roles_of(client, deployed.distributor, owner) == []
    assert contracts.activation_delay(client, deployed.distributor) == deployed.activation_delay
