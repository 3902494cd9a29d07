"""REST API v1 for claims: open one (`POST /api/v1/claims/`), follow one (`GET /api/v1/claims/<id>/`).

Errors are the API's one envelope (`swap.api.problems`), field reasons under `errors`.
Amounts and the rate's numerator and denominator are integers written as strings (they exceed
2^53); `sesh_per_oxen` is the rate with 9 decimals, truncated.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from claims.exceptions import ClaimRateLimited, ClaimRefused, ClaimsWalletUnavailable
from claims.models import Claim
from claims.services.opening import MAX_ADDRESS_CHARS, open_claim
from claims.services.status import Terms, claim_status, current_terms
from swap.api import examples
from swap.api.fields import ValueField
from swap.api.problems import Problem, problem_response, single_problem
from swap.api.schema import problem
from swap.http import client_ip


class OpenClaimSerializer(serializers.Serializer[Any]):
    oxen_address = ValueField("oxen-address", whitespace=True, max_length=MAX_ADDRESS_CHARS,
                              purpose="The registered primary Oxen address")


class DepositSerializer(serializers.Serializer[Any]):
    txid = serializers.CharField()
    amount_atomic = serializers.CharField(help_text="atomic OXEN, summed over the transaction's outputs")
    height = serializers.IntegerField(help_text="0 while unmined")
    confirmations = serializers.IntegerField(help_text="as of the last poll")
    state = serializers.CharField(help_text="seen, pending_minimum, credited, held or orphaned")
    vanished = serializers.BooleanField()
    credited_sesh_atomic = serializers.CharField(allow_null=True)


class ClaimSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    oxen_address = serializers.CharField()
    eth_address = serializers.CharField(help_text="EIP-55; receives every credit of this claim")
    subaddress = serializers.CharField(help_text="send OXEN here")
    rate = inline_serializer("ClaimRate", {
        "num": serializers.CharField(), "den": serializers.CharField(),
        "sesh_per_oxen": serializers.CharField(help_text="9 decimals, truncated")})
    multiplier = inline_serializer("ClaimMultiplier", {
        "num": serializers.CharField(), "den": serializers.CharField(), "text": serializers.CharField()})
    confirmations = serializers.IntegerField(help_text="a deposit is credited after this many")
    minimum_deposit_atomic = serializers.CharField(help_text="the claim's total must reach it before crediting")
    credited_sesh_atomic = serializers.CharField()
    deposits = DepositSerializer(many=True)


def claim_body(claim: Claim, terms: Terms) -> dict[str, Any]:
    claim_state = claim_status(claim)
    snapshot = terms.snapshot
    return {
        "id": str(claim.pk),
        "oxen_address": claim.oxen_address,
        "eth_address": claim.eth_address,
        "subaddress": claim.subaddress.address,
        "rate": {"num": str(snapshot.rate_num), "den": str(snapshot.rate_den), "sesh_per_oxen": snapshot.sesh_per_oxen}
        if snapshot else None,
        "multiplier": {"num": str(terms.multiplier.numerator), "den": str(terms.multiplier.denominator),
                       "text": terms.multiplier_text},
        "confirmations": terms.confirmations,
        "minimum_deposit_atomic": str(terms.min_deposit_atomic),
        "credited_sesh_atomic": str(claim_state.credited_sesh_atomic),
        "deposits": [
            {"txid": view.deposit.txid, "amount_atomic": str(view.deposit.amount_atomic),
             "height": view.deposit.height, "confirmations": view.deposit.confirmations,
             "state": view.deposit.state, "vanished": view.deposit.vanished_at is not None,
             "credited_sesh_atomic": str(view.credit.sesh_atomic) if view.credit else None}
            for view in claim_state.deposits
        ],
    }


class ClaimCreateView(APIView):
    @extend_schema(
        operation_id="claims_create",
        summary="Open the claim of a registered Oxen address",
        description=(
            "Returns the claim's deposit subaddress and the exact rate. One claim per (Oxen address, ETH address): "
            "asking again returns the same claim (200). New claims are rate limited per client IP (429)."
        ),
        request=OpenClaimSerializer,
        examples=[examples.CLAIM],
        responses={
            201: ClaimSerializer,
            200: OpenApiResponse(ClaimSerializer, description="the claim already existed"),
            400: problem("malformed or unregistered address, or no supply snapshot yet"),
            429: problem("too many claims opened from this client; see Retry-After"),
            503: problem("the claims wallet is unavailable; nothing was stored"),
        },
    )
    def post(self, request: Request) -> HttpResponse:
        serializer = OpenClaimSerializer(data=request.data if isinstance(request.data, dict) else {})
        serializer.is_valid(raise_exception=True)  # a 400 in the envelope, through the DRF hook
        try:
            opened = open_claim(serializer.validated_data["oxen_address"], ip=client_ip(request._request), actor="api")
        except ClaimRefused as refused:
            return problem_response(status.HTTP_400_BAD_REQUEST, refused.problems)
        except ClaimRateLimited as limited:
            return single_problem(status.HTTP_429_TOO_MANY_REQUESTS, "non_field_errors", "rate_limited",
                                  limited.message, headers={"Retry-After": str(limited.retry_after)},
                                  retry_after=limited.retry_after)
        except ClaimsWalletUnavailable as unavailable:
            return single_problem(status.HTTP_503_SERVICE_UNAVAILABLE, "non_field_errors", "wallet_unavailable",
                                  unavailable.message, headers={"Retry-After": "60"})
        code = status.HTTP_201_CREATED if opened.created else status.HTTP_200_OK
        return Response({**claim_body(opened.claim, current_terms()), "created": opened.created}, status=code)


class ClaimDetailView(APIView):
    @extend_schema(
        operation_id="claims_retrieve",
        summary="A claim: its subaddress, the terms, its deposits and credits",
        parameters=[OpenApiParameter("claim_id", {"type": "string", "format": "uuid"}, OpenApiParameter.PATH,
                                     description="the claim's id, from opening it")],
        responses={200: ClaimSerializer, 404: problem("no such claim")},
    )
    def get(self, request: Request, claim_id: Any) -> Response:
        claim = Claim.objects.select_related("subaddress").filter(pk=claim_id).first()
        if claim is None:
            raise Problem(404, "claim_id", "not_found", "No claim has this id.")
        return Response(claim_body(claim, current_terms()))
