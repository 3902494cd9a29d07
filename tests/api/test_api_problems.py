"""Under /api/ every error is one JSON envelope: RFC 9457 problem details plus the field `errors`.

`type`, `title`, `status` and `detail` (RFC 9457) around `errors` (field -> [{code, message}]),
which the portal and integrators already read. Never HTML, never a traceback, whatever produced
the error: a view, DRF, Django's resolver, a middleware, or an exception nobody expected.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus

import pytest

from swap.models import AuditEvent
from tests.registrations.wallets import Wallet

pytestmark = pytest.mark.django_db


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    text = response.content.decode()
    assert "<html" not in text.lower() and "Traceback" not in text
    body = json.loads(text)
    assert body["type"] == "about:blank"
    assert body["title"] == HTTPStatus(status).phrase
    assert body["status"] == status
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["errors"], dict) and body["errors"]
    for problems in body["errors"].values():
        for problem in problems:
            assert set(problem) == {"code", "message"} and problem["message"]
    return body


def codes(body: dict, field: str = "non_field_errors") -> list[str]:
    return [problem["code"] for problem in body["errors"][field]]


@pytest.fixture(params=[False, True], ids=["production", "debug"])
def debug(request, settings):
    """DEBUG changes Django's error pages (tracebacks, the URL list); it must not change ours."""
    settings.DEBUG = request.param
    return request.param


@pytest.mark.parametrize("body", ["{", "", "\x00", '{"a": NaN}', "[1,]", '"\\ud800"x'])
def test_a_json_parse_error_is_a_400_problem(client, body):
    response = client.generic("POST", "/api/v1/registrations/", body.encode(), content_type="application/json")
    if body == "":
        # An empty body is an empty submission: a field-level 400, still in the envelope.
        assert "oxen_address" in assert_problem(response, 400)["errors"]
        return
    assert codes(assert_problem(response, 400)) == ["parse_error"]
    assert not AuditEvent.objects.exists()


def test_a_body_that_is_not_text_in_its_charset_is_a_400_parse_error(client):
    response = client.generic("POST", "/api/v1/claims/", b'{"a": "\xff"}', content_type="application/json")
    assert codes(assert_problem(response, 400)) == ["parse_error"]
    response = client.generic("POST", "/api/v1/claims/", b"{}", content_type="application/json; charset=no-such")
    assert "oxen_address" in assert_problem(response, 400)["errors"]  # an unknown charset is ignored: UTF-8


@pytest.mark.parametrize(
    "path",
    ["/api/v1/rounds/-1/dump.json", "/api/v1/rounds/x/entries.csv", "/api/v1/nothing-here", "/api/",
     "/api/v2/registrations/", "/api/v1/claims/not-a-uuid/", "/api/v1/rounds/-1/bonus-inputs.csv"],
)
def test_a_path_no_route_matches_is_a_404_problem_even_in_debug(client, debug, path):
    body = assert_problem(client.get(path), 404)
    assert codes(body) == ["not_found"]


@pytest.mark.parametrize(
    ("path", "field"),
    [("/api/v1/rounds/7/dump.json", "number"), ("/api/v1/rounds/7/entries.csv", "number"),
     ("/api/v1/rounds/7/bonus-inputs.csv", "number"), ("/api/v1/rounds/7/bonus-snapshots.csv", "number"),
     ("/api/v1/registrations/L123/", "oxen_address"),
     ("/api/v1/claims/00000000-0000-0000-0000-000000000000/", "claim_id")],
)
def test_a_missing_resource_is_a_404_problem_naming_the_parameter(client, debug, path, field):
    assert codes(assert_problem(client.get(path), 404), field) == ["not_found"]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [("PUT", "/api/v1/registrations/", "POST"), ("GET", "/api/v1/claims/", "POST"),
     ("DELETE", "/api/v1/rounds/", "GET"), ("POST", "/api/v1/bonus-inputs.csv", "GET"),
     ("DELETE", "/api/v1/rounds/1/bonus-snapshots.csv", "GET"), ("PATCH", "/api/v1/schema/", "GET")],
)
def test_a_method_the_path_does_not_take_is_a_405_problem_with_allow(client, debug, method, path, allowed):
    response = client.generic(method, path)
    body = assert_problem(response, 405)
    assert codes(body) == ["method_not_allowed"]
    assert allowed in response["Allow"] and f"This path takes {allowed}" in body["detail"]


def test_a_body_over_the_size_limit_is_a_413_problem(client, settings):
    body = json.dumps({"oxen_address": "L" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    response = client.generic("POST", "/api/v1/registrations/", body.encode(), content_type="application/json")
    assert codes(assert_problem(response, 413)) == ["too_large"]
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
@pytest.mark.parametrize("path", ["/api/v1/registrations/", "/api/v1/claims/", "/api/v1/payout-requests/"])
def test_a_body_that_is_not_json_is_a_415_problem(client, path, content_type):
    response = client.generic("POST", path, b"eth_address=0x", content_type=content_type)
    body = assert_problem(response, 415)
    assert codes(body) == ["unsupported_media_type"] and "Send the body as application/json" in body["detail"]


def test_a_request_for_another_host_is_a_400_problem(client, debug):
    response = client.get("/api/v1/rounds/", HTTP_HOST="evil.example")
    assert codes(assert_problem(response, 400)) == ["invalid"]


def test_registration_rate_limits_answer_a_429_problem_with_retry_after(client, settings):
    settings.REGISTRATION_RATE_LIMIT_IP = "2/hour"
    wallet = Wallet()
    payload = json.dumps({"oxen_address": wallet.address, "eth_address": "0x" + "1" * 40, "signature": "SigV1"})
    for _ in range(2):
        client.generic("POST", "/api/v1/registrations/", payload.encode(), content_type="application/json")
    response = client.generic("POST", "/api/v1/registrations/", payload.encode(), content_type="application/json")
    body = assert_problem(response, 429)
    assert codes(body) == ["rate_limited"]
    assert int(response["Retry-After"]) == body["retry_after"] > 0


def test_claims_rate_limits_answer_a_429_problem_with_retry_after(client, settings):
    settings.CLAIMS_OPEN_RATE_LIMIT_IP = "1/hour"
    payload = json.dumps({"oxen_address": Wallet().address}).encode()
    client.generic("POST", "/api/v1/claims/", payload, content_type="application/json")
    response = client.generic("POST", "/api/v1/claims/", payload, content_type="application/json")
    body = assert_problem(response, 429)
    assert codes(body) == ["rate_limited"] and int(response["Retry-After"]) == body["retry_after"]


@pytest.mark.urls("tests.api.failing_urls")
@pytest.mark.parametrize("path", ["/api/v1/explode/", "/api/v1/explode-plain/"])
def test_an_unexpected_exception_is_a_500_problem_without_internals_and_is_logged(client, debug, path, caplog):
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR):
        response = client.get(path)
    body = assert_problem(response, 500)
    assert codes(body) == ["server_error"]
    assert "secret internals" not in response.content.decode()
    assert any("secret internals" in str(record.exc_info[1]) for record in caplog.records if record.exc_info)


def test_field_reasons_stay_in_errors_inside_the_envelope(client):
    response = client.get("/api/v1/proofs/0x1234/")
    body = assert_problem(response, 400)
    assert codes(body, "eth_address") == ["invalid"]
    assert body["detail"] == body["errors"]["eth_address"][0]["message"]


def test_pages_outside_the_api_keep_their_html_errors(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "problem+json" not in response["Content-Type"]
