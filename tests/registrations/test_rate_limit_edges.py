"""Rate limits at the web edge (issue 17, items 1 and 3), through the API over Django's test client.

Item 1: strangers must not be able to lock an owner out of registering. Item 3: one IPv6 /64 is
one client, and a request that did not come through every trusted proxy is refused.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from swap.models import AuditEvent
from swap.registrations.models import Registration
from tests.registrations.wallets import Wallet, registration

pytestmark = pytest.mark.django_db
URL = "/api/v1/registrations/"
REPO_ROOT = Path(__file__).resolve().parents[2]


def post(client, payload, ip: str, **headers):
    return client.post(URL, data=json.dumps(payload), content_type="application/json", REMOTE_ADDR=ip, **headers)


# --- item 1: per-address failures count only against their sender ----------------------------


def test_strangers_cannot_lock_the_owner_out_with_bad_signatures(client, settings, wallet):
    """30 bad submissions for one address from two clients, then the owner's valid one from a third."""
    settings.REGISTRATION_RATE_LIMIT_IP = "20/hour"
    settings.REGISTRATION_RATE_LIMIT_ADDRESS = "30/hour"
    bad = registration(wallet, signed_text="not the owner's signature")
    for stranger in ("198.51.100.1", "198.51.100.2"):
        for _ in range(15):
            assert post(client, bad, stranger).status_code == 400
    owner = post(client, registration(wallet), "203.0.113.77")
    assert owner.status_code == 201, owner.content
    assert Registration.objects.get(oxen_address=wallet.address).is_current


def test_the_per_address_limit_still_stops_the_sender_that_fills_it(client, settings, wallet):
    settings.REGISTRATION_RATE_LIMIT_IP = "100/hour"
    settings.REGISTRATION_RATE_LIMIT_ADDRESS = "3/hour"
    bad = registration(wallet, signed_text="wrong")
    for _ in range(3):
        assert post(client, bad, "198.51.100.1").status_code == 400
    limited = post(client, registration(wallet), "198.51.100.1")
    assert limited.status_code == 429
    assert "for this Oxen address" in limited.json()["errors"]["non_field_errors"][0]["message"]
    # The same sender may still register other addresses, and the owner elsewhere is not affected.
    assert post(client, registration(Wallet()), "198.51.100.1").status_code == 201
    assert post(client, registration(wallet), "192.0.2.5").status_code == 201


# --- item 3: IPv6 clients are their /64 (or /56), and a short X-Forwarded-For is refused ------


def test_one_ipv6_slash_64_is_one_client(client, settings):
    settings.REGISTRATION_RATE_LIMIT_IP = "3/hour"
    answers = []
    for host in range(1, 13):  # twelve addresses of one /64, each sending one bad signature
        bad = registration(Wallet(), signed_text="wrong")
        answers.append(post(client, bad, f"2001:db8:1:2::{host:x}").status_code)
    assert answers == [400] * 3 + [429] * 9
    # Another /64 is another client.
    assert post(client, registration(Wallet()), "2001:db8:1:3::1").status_code == 201


def test_a_slash_56_setting_groups_the_neighbouring_slash_64s(client, settings):
    settings.REGISTRATION_RATE_LIMIT_IP = "2/hour"
    settings.RATE_LIMIT_IPV6_PREFIX = 56
    for subnet in ("2001:db8:1:200::1", "2001:db8:1:2ff::1"):  # two /64s inside 2001:db8:1:200::/56
        assert post(client, registration(Wallet(), signed_text="x"), subnet).status_code == 400
    assert post(client, registration(Wallet()), "2001:db8:1:2aa::9").status_code == 429
    assert post(client, registration(Wallet()), "2001:db8:1:300::1").status_code == 201


def test_ipv4_and_ipv4_mapped_ipv6_are_one_client(client, settings):
    settings.REGISTRATION_RATE_LIMIT_IP = "1/hour"
    assert post(client, registration(Wallet(), signed_text="x"), "198.51.100.20").status_code == 400
    assert post(client, registration(Wallet()), "::ffff:198.51.100.20").status_code == 429
    assert post(client, registration(Wallet()), "198.51.100.21").status_code == 201


@pytest.mark.parametrize("forwarded", [None, "", "203.0.113.5"])
def test_a_forwarded_for_shorter_than_the_proxy_count_is_refused(client, settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 2
    headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    response = post(client, registration(Wallet()), "10.0.0.2", **headers)
    assert response.status_code == 400
    assert not Registration.objects.exists() and not AuditEvent.objects.exists()


def test_the_registration_form_refuses_a_short_forwarded_for_too(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    form = {**registration(Wallet()), "not_an_exchange": "on"}
    response = client.post("/register/", data=form, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 400
    assert not Registration.objects.exists()


def test_garbage_at_the_trusted_position_is_refused(client, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    response = post(client, registration(Wallet()), "10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, not-an-ip, 10.0.0.1")
    assert response.status_code == 400


def test_a_full_forwarded_for_names_the_client(client, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    settings.REGISTRATION_RATE_LIMIT_IP = "1/hour"
    forged = "6.6.6.6, 203.0.113.5, 10.0.0.1"
    bad = registration(Wallet(), signed_text="x")
    assert post(client, bad, "10.0.0.2", HTTP_X_FORWARDED_FOR=forged).status_code == 400
    # The client's own forged entry changes nothing: the entry our outer proxy wrote is the client.
    again = "7.7.7.7, 203.0.113.5, 10.0.0.1"
    assert post(client, registration(Wallet()), "10.0.0.2", HTTP_X_FORWARDED_FOR=again).status_code == 429


def test_the_web_process_logs_the_proxy_count_when_it_starts():
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG")}
    env.update(TRUSTED_PROXY_COUNT="2", RATE_LIMIT_IPV6_PREFIX="56", LOG_LEVEL="INFO")
    started = subprocess.run([sys.executable, "-c", "import swap.wsgi"], cwd=REPO_ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
    assert started.returncode == 0, started.stderr
    assert "TRUSTED_PROXY_COUNT=2" in started.stderr and "/56" in started.stderr


def test_a_refused_forwarded_for_is_logged_as_a_security_event(client, settings, caplog):
    settings.TRUSTED_PROXY_COUNT = 3
    with caplog.at_level(logging.ERROR, logger="django.security"):
        assert post(client, registration(Wallet()), "10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4").status_code == 400
    assert "TRUSTED_PROXY_COUNT is 3" in caplog.text
