"""REST API v1 for distributions: proofs for holders, and every round's published data (SPEC §6).

Read-only, from the database only (no chain calls). Amounts are decimal strings: SESH in atomic
units passes 2^53, beyond what a JavaScript number holds exactly. Errors use the API's one format,
`{"errors": {<field>: [{"code": …, "message": …}]}}`.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.http import Http404, HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from swap.core.eth_address import EthAddressError, normalize_eth_address
from swap.distributions.models import DistributionRound, RoundStatus
from swap.distributions.proofs import claim_info
from swap.distributions.services.payouts import UnknownPayoutAddressError, request_payout
from swap.http import client_ip


def _error(field: str, code: str, message: str, http_status: int) -> Response:
    return Response({"errors": {field: [{"code": code, "message": message}]}}, status=http_status)


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
        "claimable": serializers.BooleanField(help_text="the root is live on chain and something is left"),
        "proof": serializers.ListField(child=serializers.CharField()),
        "distributor": serializers.CharField(),
        "chain_id": serializers.IntegerField(),
        "claim_calldata": serializers.CharField(help_text="data of claim(account, cumulativeAmount, proof)"),
    },
)


class PayoutRequestView(APIView):
    """Ask the service to deliver an account's SESH (batched `claimMany`) instead of claiming by hand."""

    @extend_schema(
        request=inline_serializer("PayoutRequestIn", {"eth_address": serializers.CharField()}),
        responses={201: OpenApiResponse(description="recorded"), 200: OpenApiResponse(description="already asked"),
                   400: OpenApiResponse(description="malformed address"),
                   404: OpenApiResponse(description="neither registered nor in a round")},
    )
    def post(self, request: Request) -> Response:
        text = request.data.get("eth_address") if hasattr(request.data, "get") else None
        if not isinstance(text, str):
            return _error("eth_address", "required", "eth_address is required", status.HTTP_400_BAD_REQUEST)
        try:
            payout, created = request_payout(text, requested_by="web", ip=client_ip(request))
        except EthAddressError as error:
            return _error("eth_address", "invalid", str(error), status.HTTP_400_BAD_REQUEST)
        except UnknownPayoutAddressError as error:
            return _error("eth_address", "not_found", str(error), status.HTTP_404_NOT_FOUND)
        return Response(
            {"eth_address": payout.eth_address, "requested_at": payout.created_at.isoformat()},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ProofView(APIView):
    """The Merkle proof of an ETH address's cumulative entitlement in the current round."""

    @extend_schema(responses={200: ProofSerializer, 400: OpenApiResponse(description="malformed address"),
                              404: OpenApiResponse(description="no frozen entry for this address")})
    def get(self, request: Request, eth_address: str) -> Response:
        try:
            address = normalize_eth_address(eth_address)
        except EthAddressError as error:
            return _error("eth_address", "invalid", str(error), status.HTTP_400_BAD_REQUEST)
        info = claim_info(address)
        if info is None:
            return _error("eth_address", "not_found", f"{address} has no entry in any frozen round",
                          status.HTTP_404_NOT_FOUND)
        return Response(info.as_dict())


def _round_row(round_: DistributionRound) -> dict[str, Any]:
    tx = round_.propose_tx
    return {
        "round": round_.number, "status": round_.status, "cutoff": round_.cutoff_at.isoformat(),
        "root": round_.root, "count": round_.count, "total_atomic": str(round_.total_atomic),
        "bonus_total_atomic": str(round_.bonus_total_atomic), "claims_total_atomic": str(round_.claims_total_atomic),
        "dump_sha256": round_.dump_sha256, "distributor": round_.distributor_address,
        "propose_tx_hash": tx.tx_hash if tx else "", "propose_block": tx.block_number if tx else None,
        "activates_at": round_.activates_at.isoformat() if round_.activates_at else None,
        "activate_tx_hash": round_.activated_tx_hash, "vetoed_tx_hash": round_.vetoed_tx_hash,
    }


def _frozen_round(number: int) -> DistributionRound:
    round_ = DistributionRound.objects.numbered().select_related("propose_tx").exclude(
        status=RoundStatus.DRAFT
    ).filter(number=number).first()
    if round_ is None:
        raise Http404("no frozen round with that number")
    return round_


class RoundListView(APIView):
    """Every frozen round with its root, count, total, dump digest and publishing transaction."""

    @extend_schema(responses={200: OpenApiResponse(description="list of rounds")})
    def get(self, request: Request) -> Response:
        rounds = DistributionRound.objects.select_related("propose_tx").exclude(status=RoundStatus.DRAFT)
        return Response([_round_row(r) for r in rounds.order_by("-number")])


class RoundDumpView(APIView):
    """The round's standard-v1 dump, byte for byte (its sha256 is `dump_sha256`)."""

    @extend_schema(responses={200: OpenApiResponse(description="standard-v1 JSON")})
    def get(self, request: Request, number: int) -> HttpResponse:
        round_ = _frozen_round(number)
        response = HttpResponse(round_.dump.text, content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="round-{round_.number}-standard-v1.json"'
        return response


class RoundCsvView(APIView):
    """The round's entries as CSV: eth_address, cumulative_sesh_atomic (plus the per-program split)."""

    @extend_schema(responses={200: OpenApiResponse(description="CSV")})
    def get(self, request: Request, number: int) -> HttpResponse:
        round_ = _frozen_round(number)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["eth_address", "cumulative_sesh_atomic", "bonus_atomic", "claims_atomic"])
        for row in round_.entries.order_by("eth_address").values_list(
            "eth_address", "cumulative_atomic", "bonus_atomic", "claims_atomic"
        ).iterator():
            writer.writerow(row)
        response = HttpResponse(out.getvalue(), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="round-{round_.number}.csv"'
        return response
