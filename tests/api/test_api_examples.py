"""Every example of the OpenAPI schema is a real value the server accepts: each one answers 2xx.

The examples are read from the schema the server serves (not from `swap.api.examples`), in the
order a holder would use them: the registration first, then the requests that need it.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from swap.api import examples
from swap.core.oxen_signature import verify_message
from swap.registrations.models import Registration

pytestmark = pytest.mark.django_db(transaction=True)

FIRST = ["registrations_create", "claims_create", "payout_requests_create"]


def schema(client) -> dict[str, Any]:
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return json.loads(response.content)


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    found = [(method, path, operation) for path, item in document["paths"].items()
             for method, operation in item.items()]
    return sorted(found, key=lambda entry: (FIRST + [entry[2]["operationId"]]).index(entry[2]["operationId"]))


def example_requests(document: dict[str, Any]) -> list[tuple[str, str, str, Any]]:
    """(operation id, method, url, body) for every example, bodies and path parameters alike."""
    requests = []
    for method, path, operation in operations(document):
        body_examples = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get(
            "examples", {})
        for example in body_examples.values():
            requests.append((operation["operationId"], method, path, example["value"]))
        parameters = [p for p in operation.get("parameters", []) if p["in"] == "path"]
        if parameters and all(p.get("examples") for p in parameters):
            url = path
            for parameter in parameters:
                (example,) = parameter["examples"].values()
                url = url.replace("{" + parameter["name"] + "}", str(example["value"]))
            requests.append((operation["operationId"], method, url, None))
    return requests


def test_the_example_signature_verifies_and_the_addresses_are_real():
    assert verify_message(examples.OXEN_ADDRESS, examples.ETH_ADDRESS.encode(), examples.SIGNATURE)


def test_every_example_of_the_schema_answers_2xx(client, api_world):
    document = schema(client)
    requests = example_requests(document)
    called = {operation_id for operation_id, *_ in requests}
    with_examples = {op["operationId"] for _, _, op in operations(document)
                     if op.get("requestBody") or any(p["in"] == "path" for p in op.get("parameters", []))}
    with_examples.discard("claims_retrieve")  # its id is the one a claim's opening returns (below)
    assert with_examples <= called
    answers = {}
    for operation_id, method, url, body in requests:
        data = json.dumps(body) if body is not None else None
        response = client.generic(method.upper(), url, data or "", content_type="application/json")
        answers[operation_id] = response.status_code
        assert 200 <= response.status_code < 300, (operation_id, url, response.content[:500])
        if operation_id == "claims_create":
            claim = client.get(f"/api/v1/claims/{response.json()['id']}/")
            assert claim.status_code == 200
    assert answers["registrations_create"] == 201 and answers["claims_create"] == 201
    assert Registration.objects.get(is_current=True).oxen_address == examples.OXEN_ADDRESS


def test_the_schema_states_the_shapes_the_server_checks(client, settings):
    document = schema(client)
    submission = document["components"]["schemas"]["Submission"]["properties"]
    oxen, eth, signature = (re.compile(submission[name]["pattern"])
                            for name in ("oxen_address", "eth_address", "signature"))
    assert oxen.match(examples.OXEN_ADDRESS) and oxen.match(f"  {examples.OXEN_ADDRESS}\n")
    assert not oxen.match(examples.OXEN_ADDRESS[:-1]) and not oxen.match(examples.OXEN_ADDRESS[:-1] + "0")
    assert eth.match(examples.ETH_ADDRESS) and not eth.match(examples.ETH_ADDRESS[2:])
    assert signature.match(examples.SIGNATURE) and not signature.match("SigV2" + examples.SIGNATURE[5:])
    for name in ("oxen_address", "eth_address", "signature"):
        assert "checked by the server" in submission[name]["description"]
    proof = document["paths"]["/api/v1/proofs/{eth_address}/"]["get"]["parameters"][0]["schema"]
    assert proof["pattern"] == "^0x[0-9a-fA-F]{40}$" and "EIP-55" in proof["description"]


def test_the_oxen_address_shape_follows_the_configured_network(client, settings):
    settings.OXEN_NETWORK = "stagenet"
    document = schema(client)
    shape = document["paths"]["/api/v1/bonus/{oxen_address}/"]["get"]["parameters"][0]["schema"]
    assert shape["pattern"] == "^ST[1-9A-HJ-NP-Za-km-z]{95}$" and shape["minLength"] == shape["maxLength"] == 97


def test_the_base58_class_is_the_codecs_alphabet():
    from swap.api.values import BASE58
    from swap.core.base58 import ALPHABET

    everything = "".join(map(chr, range(33, 127)))
    assert re.sub(f"[^{BASE58}]", "", everything) == ALPHABET
