"""REST API v1 for distributions: proofs for holders, and every round's published data (SPEC §6).

Read-only, from the database only (no chain calls). Amounts are decimal strings: SESH in atomic
units passes 2^53, beyond what a JavaScript number holds exactly. Errors use the API's one format,
`{"errors": {<field>: [{"code": …, "message": …}]}}`.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from swap.api import examples
from swap.api.fields import ValueField
from swap.api.problems import Problem, single_problem
from swap.api.renderers import CSVRenderer
from swap.api.schema import problem, value_parameter
from swap.chain.program_end import program_end
from swap.core.eth_address import EthAddressError, normalize_eth_address
from swap.distributions.models import DistributionRound, RoundStatus
from swap.distributions.proofs import claim_info
from swap.distributions.services.payout_queue import delivery_status
from swap.distributions.services.payouts import PayoutRateLimitedError, UnknownPayoutAddressError, request_payout
from swap.distributions.services.published import entries_csv_text
from swap.http import client_ip


def _error(field: str, code: str, message: str, http_status: int) -> HttpResponse:
    return single_problem(http_status, field, code, message)


ROUND_NUMBER = OpenApiParameter(
    "number", {"type": "integer", "minimum": 0}, OpenApiParameter.PATH,
    description="the round's number (the contract's roundId)", examples=examples.ROUND_PARAMETER,
)


PROGRAM_END_FIELD = inline_serializer(
    "ProgramEnd",
    {
        "end_time": serializers.DateTimeField(help_text="the distributor's endTime: after it the remainder may be "
                                              "withdrawn and nothing is claimable any more"),
        "closes_at": serializers.DateTimeField(help_text="claims and registrations close, the final round is frozen"),
        "closed": serializers.BooleanField(help_text="claims and registrations are closed"),
        "ended": serializers.BooleanField(help_text="the end passed, or the remainder was withdrawn: nothing is "
                                          "claimable any more"),
    },
    allow_null=True, help_text="the announced program end (null while none is announced); docs/rules.md",
)


ProofSerializer = inline_serializer(
    "Proof",
    {
        "eth_address": serializers.CharField(help_text="EIP-55"),
        "round": serializers.IntegerField(help_text="round number (the contract's roundId)"),
        "round_status": serializers.ChoiceField(choices=RoundStatus.choices),
        "root": serializers.CharField(),
        "cumulative_atomic": serializers.CharField(help_text="cumulative entitlement, atomic SESH"),
        "bonus_atomic": serializers.CharField(),
        "claims_atomic": serializers.CharField(),
        "claimed_atomic": serializers.CharField(help_text="already paid on chain, as of claimed_as_of_block"),
        "claimed_as_of_block": serializers.IntegerField(allow_null=True),
        "claimable_atomic": serializers.CharField(),
        "claimable": serializers.BooleanField(help_text="the root is active on chain and something is left"),
        "proof": serializers.ListField(child=serializers.CharField()),
        "distributor": serializers.CharField(),
        "chain_id": serializers.IntegerField(),
        "claim_calldata": serializers.CharField(help_text="data of claim(account, cumulativeAmount, proof)"),
        "activates_at": serializers.DateTimeField(
            allow_null=True, help_text="while the round is pending: when its root may be activated (the chain's time)"),
        "next_round": serializers.IntegerField(
            allow_null=True, help_text="a newer round, not active yet, that changes this account's amount"),
        "next_round_status": serializers.ChoiceField(choices=RoundStatus.choices, allow_null=True),
        "next_cumulative_atomic": serializers.CharField(allow_null=True),
        "next_activates_at": serializers.DateTimeField(allow_null=True),
        "program_end": PROGRAM_END_FIELD,
    },
)


PayoutRequestOut = inline_serializer(
    "PayoutRequest",
    {
        "eth_address": serializers.CharField(help_text="EIP-55"),
        "requested_at": serializers.DateTimeField(),
        "state": serializers.ChoiceField(
            choices=["waiting_for_round", "queued", "sending", "delivered"],
            help_text="against the active round: no amount yet, due for the next payout run, in a batch, paid"),
        "round": serializers.IntegerField(allow_null=True, help_text="the active round the state refers to"),
        "place": serializers.IntegerField(allow_null=True, help_text="1-based place among the due accounts"),
        "queued": serializers.IntegerField(help_text="accounts due for the next payout run"),
        "batch_size": serializers.IntegerField(help_text="accounts per claimMany transaction"),
        "tx_hash": serializers.CharField(allow_blank=True, help_text="the batch's mined transaction"),
    },
)


class PayoutRequestView(APIView):
    """Ask the service to deliver an account's SESH (batched `claimMany`) instead of claiming by hand.

    Free for the holder; rate limited per client (new enrolments and refusals) and per (client, account).
    """

    @extend_schema(
        operation_id="payout_requests_create",
        summary="Ask for an account's SESH to be pushed to it",
        request=inline_serializer("PayoutRequestIn", {"eth_address": ValueField("eth-address")}),
        examples=[examples.PAYOUT_REQUEST],
        responses={201: OpenApiResponse(PayoutRequestOut, description="recorded"),
                   200: OpenApiResponse(PayoutRequestOut, description="already asked"),
                   400: problem("malformed address"),
                   404: problem("neither registered nor in a round"),
                   429: problem("too many requests from this client; see Retry-After")},
    )
    def post(self, request: Request) -> HttpResponse:
        text = request.data.get("eth_address") if hasattr(request.data, "get") else None
        if not isinstance(text, str):
            return _error("eth_address", "required", "eth_address is required", status.HTTP_400_BAD_REQUEST)
        try:
            payout, created = request_payout(text, requested_by="web", ip=client_ip(request))
        except EthAddressError as error:
            return _error("eth_address", "invalid", str(error), status.HTTP_400_BAD_REQUEST)
        except UnknownPayoutAddressError as error:
            return _error("eth_address", "not_found", str(error), status.HTTP_404_NOT_FOUND)
        except PayoutRateLimitedError as limited:
            return single_problem(status.HTTP_429_TOO_MANY_REQUESTS, "non_field_errors", "rate_limited", str(limited),
                                  headers={"Retry-After": str(limited.retry_after)}, retry_after=limited.retry_after)
        return Response(delivery_status(payout).as_dict(),
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class ProofView(APIView):
    """The Merkle proof of an ETH address's cumulative entitlement in the current round."""

    @extend_schema(
        operation_id="proofs_retrieve",
        summary="The Merkle proof of an account's cumulative entitlement",
        parameters=[value_parameter("eth_address", "eth-address", "the account", examples.ETH_PARAMETER)],
        responses={200: ProofSerializer, 400: problem("malformed address"),
                   404: problem("no frozen entry for this address")},
    )
    def get(self, request: Request, eth_address: str) -> HttpResponse:
        try:
            address = normalize_eth_address(eth_address)
        except EthAddressError as error:
            return _error("eth_address", "invalid", str(error), status.HTTP_400_BAD_REQUEST)
        info = claim_info(address)
        if info is None:
            return _error("eth_address", "not_found", f"{address} has no entry in any frozen round",
                          status.HTTP_404_NOT_FOUND)
        return Response({**info.as_dict(), "program_end": _program_end()})


def _program_end() -> dict[str, Any] | None:
    end = program_end()
    return end.as_json() if end is not None else None


def _round_row(round_: DistributionRound, end: dict[str, Any] | None) -> dict[str, Any]:
    tx = round_.propose_tx
    return {
        "round": round_.number, "status": round_.status, "cutoff": round_.cutoff_at.isoformat(),
        "root": round_.root, "count": round_.count, "total_atomic": str(round_.total_atomic),
        "bonus_total_atomic": str(round_.bonus_total_atomic), "claims_total_atomic": str(round_.claims_total_atomic),
        "dump_sha256": round_.dump_sha256, "distributor": round_.distributor_address,
        "propose_tx_hash": tx.tx_hash if tx else "", "propose_block": tx.block_number if tx else None,
        "activates_at": round_.activates_at.isoformat() if round_.activates_at else None,
        "activate_tx_hash": round_.activated_tx_hash, "vetoed_tx_hash": round_.vetoed_tx_hash,
        "program_end": end,
    }


def _frozen_round(number: int) -> DistributionRound:
    round_ = DistributionRound.objects.numbered().select_related("propose_tx").exclude(
        status=RoundStatus.DRAFT
    ).filter(number=number).first()
    if round_ is None:
        raise Problem(404, "number", "not_found", f"No round {number} has been frozen.")
    return round_


ROUND_FIELDS = {
    "round": serializers.IntegerField(), "status": serializers.ChoiceField(choices=RoundStatus.choices),
    "cutoff": serializers.DateTimeField(), "root": serializers.CharField(), "count": serializers.IntegerField(),
    "total_atomic": serializers.CharField(help_text="atomic SESH"), "bonus_total_atomic": serializers.CharField(),
    "claims_total_atomic": serializers.CharField(), "dump_sha256": serializers.CharField(),
    "distributor": serializers.CharField(),
    "propose_tx_hash": serializers.CharField(allow_blank=True, help_text="the proposeRoot transaction"),
    "propose_block": serializers.IntegerField(allow_null=True),
    "activates_at": serializers.DateTimeField(allow_null=True,
                                              help_text="when the pending root may be activated (the chain's time)"),
    "activate_tx_hash": serializers.CharField(allow_blank=True, help_text="the transaction that activated the root"),
    "vetoed_tx_hash": serializers.CharField(allow_blank=True, help_text="the guardian's veto, if any"),
    "program_end": PROGRAM_END_FIELD,
}
DUMP_SCHEMA = {
    "type": "object",
    "description": "OpenZeppelin StandardMerkleTree `standard-v1` dump; its sha256 is the round's `dump_sha256`",
    "properties": {
        "format": {"type": "string", "enum": ["standard-v1"]},
        "leafEncoding": {"type": "array", "items": {"type": "string"}},
        "tree": {"type": "array", "items": {"type": "string", "pattern": "^0x[0-9a-f]{64}$"}},
        "values": {"type": "array", "items": {
            "type": "object", "required": ["value", "treeIndex"],
            "properties": {"value": {"type": "array", "items": {"type": "string"}}, "treeIndex": {"type": "integer"}},
        }},
    },
    "required": ["format", "leafEncoding", "tree", "values"],
}
CSV_TEXT = OpenApiTypes.STR


class RoundListView(APIView):
    """Every frozen round with its root, count, total, dump digest and publishing transaction."""

    @extend_schema(operation_id="rounds_list", summary="Every frozen round",
                   responses={200: OpenApiResponse(inline_serializer("Round", ROUND_FIELDS, many=True),
                                                  description="newest first")})
    def get(self, request: Request) -> Response:
        rounds = DistributionRound.objects.select_related("propose_tx").exclude(status=RoundStatus.DRAFT)
        end = _program_end()
        return Response([_round_row(r, end) for r in rounds.order_by("-number")])


class RoundDumpView(APIView):
    """The round's standard-v1 dump, byte for byte (its sha256 is `dump_sha256`)."""

    @extend_schema(operation_id="rounds_dump_retrieve", summary="A round's standard-v1 dump", parameters=[ROUND_NUMBER],
                   responses={200: OpenApiResponse(DUMP_SCHEMA, description="standard-v1 JSON, byte for byte"),
                              404: problem("no frozen round with that number")})
    def get(self, request: Request, number: int) -> HttpResponse:
        round_ = _frozen_round(number)
        response = HttpResponse(round_.dump.text, content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="round-{round_.number}-standard-v1.json"'
        return response


class RoundCsvView(APIView):
    """The round's entries as CSV: eth_address, cumulative_sesh_atomic (plus the per-program split)."""

    renderer_classes = [CSVRenderer]

    @extend_schema(operation_id="rounds_entries_retrieve", summary="A round's entries as CSV",
                   parameters=[ROUND_NUMBER],
                   responses={200: OpenApiResponse(CSV_TEXT, description="eth_address,cumulative_sesh_atomic,"
                                                   "bonus_atomic,claims_atomic"),
                              404: problem("no frozen round with that number")})
    def get(self, request: Request, number: int) -> HttpResponse:
        round_ = _frozen_round(number)
        response = HttpResponse(entries_csv_text(round_), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="round-{round_.number}.csv"'
        return response
