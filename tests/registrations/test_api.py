"""REST API v1: real HTTP through Django's test client, real signatures."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from swap.models import AuditEvent
from swap.registrations.models import Registration
from tests.registrations.wallets import Wallet, new_eth_address, registration

pytestmark = pytest.mark.django_db
URL = "/api/v1/registrations/"


def post(client, payload, **headers):
    return client.post(URL, data=json.dumps(payload), content_type="application/json", **headers)


def test_it_returns_201_with_the_stored_registration_and_the_form_that_matched(client, wallet):
    eth = new_eth_address()
    response = post(client, {"oxen_address": wallet.address, "eth_address": eth.lower(),
                             "signature": wallet.sign(eth)})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["outcome"] == "created"
    assert body["registration"]["eth_address"] == eth
    assert body["registration"]["matched_form"] == "eip55"
    assert body["registration"]["signed_message"] == eth
    assert body["registration"]["is_current"] is True


def test_it_returns_200_and_no_new_row_for_the_current_pair(client, wallet):
    payload = registration(wallet)
    assert post(client, payload).status_code == 201
    again = post(client, payload)
    assert again.status_code == 200 and again.json()["outcome"] == "unchanged"
    assert Registration.objects.count() == 1


def test_it_returns_400_with_a_reason_per_field(client, wallet):
    subaddress, _ = wallet.subaddress()
    response = post(client, {"oxen_address": subaddress, "eth_address": "0x123", "signature": "SigV2abc"})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["oxen_address"][0]["code"] == "subaddress"
    assert "primary address: it starts with L" in errors["oxen_address"][0]["message"]
    assert errors["eth_address"][0]["code"] == "invalid"
    assert errors["signature"][0]["code"] == "sigv2"


def test_missing_and_overlong_fields_are_refused_by_shape_and_audited(client, wallet):
    response = post(client, {"oxen_address": wallet.address + "x" * 300, "signature": wallet.sign("0x")})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["eth_address"][0]["code"] == "required"
    assert errors["oxen_address"][0]["code"] == "max_length"
    assert AuditEvent.objects.filter(tag="registration:refused").count() == 1


def test_a_signature_of_another_message_is_refused(client, wallet):
    eth = new_eth_address()
    payload = registration(wallet, eth, signed_text="hello")
    errors = post(client, payload).json()["errors"]
    assert errors == {"signature": [{"code": "mismatch", "message": errors["signature"][0]["message"]}]}


def test_switching_back_needs_a_timestamped_signature(client, wallet):
    first, second = registration(wallet), None
    assert post(client, first).status_code == 201
    second = registration(wallet)
    assert post(client, second).status_code == 201
    replay = post(client, first)
    assert replay.status_code == 400
    assert replay.json()["errors"]["signed_at"][0]["code"] == "replay_needs_time"
    now = int(timezone.now().timestamp()) + 1
    fresh = registration(wallet, first["eth_address"], signed_at=now)
    response = post(client, fresh)
    assert response.status_code == 201, response.content
    assert response.json()["registration"]["signed_message"] == f"{first['eth_address']} {now}"


def test_get_returns_the_current_registration_and_its_history(client, wallet):
    first, second = registration(wallet), registration(wallet)
    post(client, first)
    post(client, second)
    body = client.get(f"{URL}{wallet.address}/").json()
    assert body["current"]["eth_address"] == second["eth_address"]
    assert [row["eth_address"] for row in body["history"]] == [first["eth_address"]]
    assert body["history"][0]["is_current"] is False and body["history"][0]["superseded_at"]


def test_get_of_an_unknown_address_is_404(client):
    assert client.get(f"{URL}{Wallet().address}/").status_code == 404


def test_it_answers_429_with_retry_after_once_the_failures_reach_the_limit(client, settings, wallet):
    settings.REGISTRATION_RATE_LIMIT_IP = "3/hour"
    bad = registration(wallet, signed_text="nope")
    for _ in range(3):
        assert post(client, bad).status_code == 400
    limited = post(client, registration(Wallet()))
    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= 3600
    assert limited.json()["errors"]["non_field_errors"][0]["code"] == "rate_limited"
    assert post(client, registration(Wallet())).status_code == 429
    # Every refusal is in the audit trail, the rate-limited ones too, each with its reason.
    refused = AuditEvent.objects.filter(tag="registration:refused").order_by("id")
    codes = [sorted({p["code"] for ps in e.data["problems"].values() for p in ps}) for e in refused]
    assert len(codes) == 5 and codes[3:] == [["rate_limited"], ["rate_limited"]] and "rate_limited" not in codes[0]
    # Another client is not affected.
    assert post(client, registration(Wallet()), REMOTE_ADDR="198.51.100.9").status_code == 201


def test_a_body_over_the_size_limit_is_refused_before_parsing(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = post(client, {"oxen_address": "L" * 5000, "eth_address": "0x", "signature": "x"})
    assert response.status_code == 413


def test_the_api_accepts_json_only(client, wallet):
    response = client.post(URL, data=registration(wallet))
    assert response.status_code == 415


def test_the_schema_documents_the_registration_endpoints(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/registrations/" in schema and "/api/v1/registrations/{oxen_address}/" in schema
    assert "registrations_create" in schema and "matched_form" in schema and "429" in schema
    assert client.get("/api/v1/docs/").status_code == 200
