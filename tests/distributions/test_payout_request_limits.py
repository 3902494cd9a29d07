"""Payout enrolment is rate limited per client and per (client, account), and stays free for the holder.

Issue 17, item 9: anyone could enrol any number of participants for push payouts (each one costs
the service gas), as fast as they liked. Real HTTP through Django's test client, real registrations.
"""

from __future__ import annotations

import pytest

from swap.distributions.models import PayoutRequest
from swap.models import AuditEvent
from swap.registrations.services import Submission, submit_registration
from tests.registrations.wallets import Wallet, new_eth_address

pytestmark = pytest.mark.django_db
URL = "/api/v1/payout-requests/"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.PAYOUT_REQUEST_RATE_LIMIT_IP = "1000/hour"
    settings.PAYOUT_REQUEST_RATE_LIMIT_ACCOUNT = "1000/hour"
    settings.REGISTRATION_RATE_LIMIT_IP = "1000/hour"


def participants(count: int) -> list[str]:
    """ETH addresses of `count` real registrations (participants may be enrolled)."""
    found = []
    for _ in range(count):
        wallet, eth = Wallet(), new_eth_address()
        submit_registration(Submission(wallet.address, eth, wallet.sign(eth)), ip="192.0.2.1", actor="test")
        found.append(eth)
    return found


def enrol(client, eth: str, ip: str):
    return client.post(URL, {"eth_address": eth}, content_type="application/json", REMOTE_ADDR=ip)


def test_one_client_cannot_enrol_participants_without_limit(client, settings):
    settings.PAYOUT_REQUEST_RATE_LIMIT_IP = "3/hour"
    accounts = participants(5)
    answers = [enrol(client, eth, "198.51.100.7") for eth in accounts]
    assert [a.status_code for a in answers] == [201, 201, 201, 429, 429]
    limited = answers[-1]
    assert limited.json()["errors"]["non_field_errors"][0]["code"] == "rate_limited"
    assert 0 < int(limited["Retry-After"]) <= 3600
    assert PayoutRequest.objects.count() == 3
    # Refused attempts are audited; another client is not affected.
    assert AuditEvent.objects.filter(tag="payout:refused").count() == 2
    assert enrol(client, accounts[4], "203.0.113.8").status_code == 201


def test_refusals_count_against_the_client_too(client, settings):
    settings.PAYOUT_REQUEST_RATE_LIMIT_IP = "2/hour"
    [holder] = participants(1)
    strangers = [new_eth_address() for _ in range(2)]
    assert [enrol(client, eth, "198.51.100.7").status_code for eth in strangers] == [404, 404]
    assert enrol(client, holder, "198.51.100.7").status_code == 429


def test_repeating_one_account_is_limited_per_client_and_the_holder_stays_free(client, settings):
    settings.PAYOUT_REQUEST_RATE_LIMIT_ACCOUNT = "3/hour"
    [holder] = participants(1)
    stranger = "198.51.100.7"
    assert [enrol(client, holder, stranger).status_code for _ in range(5)] == [201, 200, 200, 429, 429]
    # The per-account count is the stranger's own: the holder, anywhere else, is answered as usual.
    assert enrol(client, holder, "203.0.113.50").status_code == 200
    # And a holder nobody enrolled yet can always enrol once, whatever strangers did elsewhere.
    [other] = participants(1)
    for _ in range(3):
        assert enrol(client, other, stranger).status_code in (201, 200)
    assert enrol(client, other, stranger).status_code == 429
    assert enrol(client, other, "203.0.113.51").status_code == 200
    assert PayoutRequest.objects.count() == 2


def test_an_ipv6_client_is_its_slash_64(client, settings):
    settings.PAYOUT_REQUEST_RATE_LIMIT_IP = "2/hour"
    accounts = participants(3)
    codes = [enrol(client, eth, f"2001:db8:5:6::{i + 1}").status_code for i, eth in enumerate(accounts)]
    assert codes == [201, 201, 429]
