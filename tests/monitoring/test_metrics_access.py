"""Who may scrape /metrics: loopback (the default networks), a configured network, or the bearer token."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from swap.core.metrics_access import address_allowed, bearer_token_matches, parse_networks

pytestmark = pytest.mark.django_db
TOKEN = "scrape-token-for-tests-only-7f3a9c"  # noqa: S105 - a test value
REPO = Path(__file__).resolve().parents[2]


def test_loopback_may_scrape_by_default(client):
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    assert b"sesh_outbox_transactions" in response.content
    assert b"django_http_requests_total_by_method_total" in response.content


def test_it_refuses_a_client_outside_the_allowed_networks_with_403(client):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 403
    assert b"sesh_" not in response.content


def test_a_configured_network_may_scrape(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.1.0.0/16"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.2.0.1").status_code == 403
    assert client.get("/metrics").status_code == 403  # loopback is no longer in the list


def test_the_bearer_token_opens_it_from_anywhere_and_a_wrong_one_does_not(client, settings):
    settings.METRICS_BEARER_TOKEN = TOKEN
    outside = {"REMOTE_ADDR": "203.0.113.7"}
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, **outside).status_code == 200
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}x"}, **outside).status_code == 403
    assert client.get("/metrics", headers={"Authorization": TOKEN}, **outside).status_code == 403


def test_a_forged_forwarded_for_does_not_make_an_outsider_loopback(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The proxy (REMOTE_ADDR 127.0.0.1) appended the real client; the client's own entry is ignored.
    forged = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1, 203.0.113.7")
    assert forged.status_code == 403
    inside = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert inside.status_code == 200


def test_no_token_configured_means_no_token_opens_it():
    assert not bearer_token_matches("Bearer ", "")
    assert not bearer_token_matches("Bearer anything", "")
    assert bearer_token_matches("bearer  abc ", "abc")


def test_address_checks_cover_ipv6_mapped_ipv4_and_garbage():
    networks = parse_networks(["127.0.0.0/8", "::1/128"])
    assert address_allowed("::ffff:127.0.0.1", networks)
    assert address_allowed("::1", networks)
    assert not address_allowed("::2", networks)
    assert not address_allowed("not-an-ip", networks)
    with pytest.raises(ValueError):
        parse_networks(["10.0.0.0/33"])


def test_a_malformed_allowed_network_stops_startup_naming_the_setting():
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "SECRET_KEY")}
    env["METRICS_ALLOWED_NETWORKS"] = "127.0.0.1/8,10.0.0.0/99"
    done = subprocess.run([sys.executable, "manage.py", "check"], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines()[-1].startswith(
        "django.core.exceptions.ImproperlyConfigured: METRICS_ALLOWED_NETWORKS holds something that is not a network")
