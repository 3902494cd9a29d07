"""What drf-spectacular's schema gets on top of the views' own annotations (`complete_schema`).

- every Oxen address, ETH address and signature (fields and path parameters) gets the configured
  network's shape from `swap.api.values`;
- every operation lists every status it can answer: 500 everywhere; 400, 413 and 415 wherever a
  body is read; 404 wherever a path parameter names a resource (or fails to route);
- every error response (4xx, 5xx) is the one envelope, `Problem`, as `application/problem+json`,
  and a 429 documents `Retry-After`;
- OpenAPI links chain the operations as a holder goes through them (registration -> status ->
  claim -> proof), so a client generator and a fuzzer's stateful phase can follow real values.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from swap.api.problems import PROBLEM_CONTENT_TYPE
from swap.api.values import shape

PROBLEM_SCHEMA = {
    "type": "object",
    "description": (
        "RFC 9457 problem details. `type` is always `about:blank`: the status names the kind of problem, and "
        "`errors` gives every reason, per field (`non_field_errors` for the request as a whole), each with a "
        "stable `code` and a message a person can act on. `detail` is the one reason's message, or names the "
        "refused fields."
    ),
    "properties": {
        "type": {"type": "string", "enum": ["about:blank"]},
        "title": {"type": "string", "description": "the HTTP status phrase"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "minLength": 1},
        "errors": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Reason"}},
        },
        "retry_after": {"type": "integer", "minimum": 1, "description": "429 only: seconds, as in Retry-After"},
    },
    "required": ["type", "title", "status", "detail", "errors"],
}
REASON_SCHEMA = {
    "type": "object",
    "properties": {"code": {"type": "string", "minLength": 1}, "message": {"type": "string", "minLength": 1}},
    "required": ["code", "message"],
}

GENERIC_RESPONSES = {
    "400": "The body is not JSON, is nested deeper than 32 levels, or a field is refused (reasons in `errors`).",
    "404": "No such resource, or the path does not route.",
    "413": "The body is larger than the limit (64 KiB by default).",
    "415": "The body is not `application/json`.",
    "500": "The server failed; the failure is logged, nothing was stored half-way.",
}
RETRY_AFTER = {"description": "seconds to wait before trying again", "required": True,
               "schema": {"type": "integer", "minimum": 1}}
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def problem(description: str) -> OpenApiResponse:
    """An error response of a view's annotations; `complete_schema` gives it the envelope."""
    return OpenApiResponse(description=description)


def value_parameter(name: str, value: str, description: str, examples: list[Any] | None = None) -> OpenApiParameter:
    """A path parameter whose schema is a `swap.api.values` shape (filled in by `complete_schema`)."""
    return OpenApiParameter(name, {"type": "string", "x-value": value}, OpenApiParameter.PATH,
                            description=description, examples=examples or [])


def _link(operation_id: str, description: str, *, parameters: dict[str, str] | None = None,
          body: dict[str, str] | None = None) -> dict[str, Any]:
    link: dict[str, Any] = {"operationId": operation_id, "description": description}
    if parameters:
        link["parameters"] = parameters
    if body:
        link["requestBody"] = body
    return link


def _holder_links(oxen: str | None, eth: str) -> dict[str, dict[str, Any]]:
    links = {
        "GetProof": _link("proofs_retrieve", "the Merkle proof of this ETH address", parameters={"eth_address": eth}),
        "RequestPayout": _link("payout_requests_create", "ask for this ETH address's payout",
                               body={"eth_address": eth}),
    }
    if oxen is not None:
        links["GetRegistration"] = _link("registrations_retrieve", "this Oxen address's registration and history",
                                         parameters={"oxen_address": oxen})
        links["OpenClaim"] = _link("claims_create", "open this Oxen address's coin claim", body={"oxen_address": oxen})
        links["GetPoints"] = _link("bonus_retrieve", "this Oxen address's Staking Points",
                                   parameters={"oxen_address": oxen})
    return links


def _round_links(number: str) -> dict[str, dict[str, Any]]:
    return {name: _link(operation, what, parameters={"number": number}) for name, operation, what in (
        ("GetDump", "rounds_dump_retrieve", "the round's standard-v1 dump"),
        ("GetEntries", "rounds_entries_retrieve", "the round's entries as CSV"),
        ("GetBonusInputs", "rounds_bonus_inputs_retrieve", "the bonus inputs behind the round"),
        ("GetBonusSnapshots", "rounds_bonus_snapshots_retrieve", "the snapshot digests the round could use"),
    )}


# (operation id, statuses) -> the links of those responses.
LINKS: dict[tuple[str, tuple[str, ...]], dict[str, dict[str, Any]]] = {
    ("registrations_create", ("200", "201")): _holder_links(
        "$response.body#/registration/oxen_address", "$response.body#/registration/eth_address"),
    ("registrations_retrieve", ("200",)): _holder_links(
        "$response.body#/current/oxen_address", "$response.body#/current/eth_address"),
    ("claims_create", ("200", "201")): {
        "GetClaim": _link("claims_retrieve", "this claim, its deposits and credits",
                          parameters={"claim_id": "$response.body#/id"}),
        **_holder_links(None, "$response.body#/eth_address"),
    },
    ("claims_retrieve", ("200",)): _holder_links(None, "$response.body#/eth_address"),
    ("payout_requests_create", ("200", "201")): {
        "GetProof": _holder_links(None, "$response.body#/eth_address")["GetProof"]},
    ("proofs_retrieve", ("200",)): _round_links("$response.body#/round"),
    ("rounds_list", ("200",)): _round_links("$response.body#/0/round"),
}


def _fill_shapes(node: Any) -> Any:
    """Replace every `{"x-value": name, …}` schema by that shape (keeping its description)."""
    if isinstance(node, dict):
        if "x-value" in node:
            filled = shape(node["x-value"])
            return {**filled, **{k: v for k, v in node.items() if k not in ("x-value", "type")}}
        return {key: _fill_shapes(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_fill_shapes(item) for item in node]
    return node


def complete_schema(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook (settings `SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]`)."""
    result = _fill_shapes(result)
    by_id: dict[str, dict[str, Any]] = {}
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            by_id[operation["operationId"]] = operation
            responses = operation.setdefault("responses", {})
            generic = ["500"]
            if "requestBody" in operation:
                generic += ["400", "413", "415"]
            if any(parameter["in"] == "path" for parameter in operation.get("parameters", [])):
                generic.append("404")
            for status in generic:
                responses.setdefault(status, {"description": GENERIC_RESPONSES[status]})
            for status, response in responses.items():
                if int(status) >= 400:
                    response["content"] = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
                if status == "429":
                    response.setdefault("headers", {})["Retry-After"] = RETRY_AFTER
            operation["responses"] = dict(sorted(responses.items()))
    for (operation_id, statuses), links in LINKS.items():
        for status in statuses:
            response = by_id[operation_id]["responses"][status]
            response["links"] = {name: link for name, link in links.items() if link["operationId"] in by_id}
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas["Reason"] = REASON_SCHEMA
    return result
