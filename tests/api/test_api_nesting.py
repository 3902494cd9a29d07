"""Deeply nested JSON: a cheap 400 with a reason on every POST endpoint, whatever its shape.

Python's JSON parser recurses once per level and raised `RecursionError` (a 500) about 950 levels
down; the API refuses anything nested deeper than `MAX_JSON_DEPTH` before parsing it.
"""

from __future__ import annotations

import time

import pytest

from swap.api.parsers import MAX_JSON_DEPTH
from swap.models import AuditEvent
from swap.registrations.models import Registration

pytestmark = pytest.mark.django_db

POST_ENDPOINTS = ["/api/v1/registrations/", "/api/v1/claims/", "/api/v1/payout-requests/"]


def arrays(depth: int) -> str:
    return "[" * depth + "]" * depth


def objects(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def in_a_field(depth: int) -> str:
    return '{"oxen_address": ' + arrays(depth - 1) + ', "eth_address": "0x", "signature": "SigV1"}'


def mixed(depth: int) -> str:
    pairs = (depth + 1) // 2
    return '[{"a":' * pairs + "null" + "}]" * pairs


def unclosed(depth: int) -> str:
    return "[" * depth


def strings_hide_brackets(depth: int) -> str:
    """Brackets inside strings (with escaped quotes) do not count; the real nesting does."""
    return '{"x": "[[[[\\"{{{{", "y": ' + arrays(depth - 1) + "}"


SHAPES = [arrays, objects, in_a_field, mixed, unclosed, strings_hide_brackets]


def post(client, path: str, body: str):
    return client.generic("POST", path, body.encode(), content_type="application/json")


@pytest.mark.parametrize("path", POST_ENDPOINTS)
@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: shape.__name__)
@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 950, 5_000])
def test_nesting_deeper_than_the_limit_is_a_400_that_says_so(client, path, shape, depth):
    response = post(client, path, shape(depth))
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 400 and body["title"] == "Bad Request"
    (problem,) = body["errors"]["non_field_errors"]
    assert problem["code"] == "too_deep"
    assert f"nested deeper than {MAX_JSON_DEPTH} levels" in problem["message"] == body["detail"]
    assert not Registration.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.parametrize("path", POST_ENDPOINTS)
def test_nesting_at_the_limit_is_parsed_and_judged_field_by_field(client, path):
    body = '{"oxen_address": ' + arrays(MAX_JSON_DEPTH - 1) + ', "eth_address": ' + arrays(3) + "}"
    response = post(client, path, body)
    assert response.status_code == 400
    codes = {problem["code"] for problems in response.json()["errors"].values() for problem in problems}
    assert "too_deep" not in codes


def test_a_body_as_deep_as_the_size_limit_allows_is_refused_cheaply(client, settings):
    """The whole body is nesting: refused by one linear scan, never handed to the recursive parser."""
    body = "[" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE - 1)
    started = time.perf_counter()
    response = post(client, "/api/v1/registrations/", body)
    elapsed = time.perf_counter() - started
    assert response.status_code == 400 and response.json()["errors"]["non_field_errors"][0]["code"] == "too_deep"
    assert elapsed < 1.0, f"{elapsed:.3f} s for a {len(body)}-byte body"
