"""REST API v1 for the Service Node Bonus: one Oxen address's points, rank and estimate.

Errors are the API's one envelope (`swap.api.problems`), field reasons under `errors`.
Integers that can exceed 2^53 (stake-blocks, atomic amounts) are strings.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bonuses.services.leaderboard import current_leaderboard
from swap.api import examples
from swap.api.problems import single_problem
from swap.api.schema import problem, value_parameter
from swap.registrations.proof import check_oxen_address
from swap.registrations.services import configured_network


class BonusEntrySerializer(serializers.Serializer[Any]):
    oxen_address = serializers.CharField()
    eth_address = serializers.CharField(help_text="EIP-55; receives the SESH")
    rank = serializers.IntegerField(allow_null=True, help_text="null while the address has no points")
    stake_blocks = serializers.CharField(help_text="integer as a string: atomic OXEN × blocks")
    points = serializers.CharField(help_text="stake_blocks / 15,000 OXEN, 6 decimals, truncated")
    estimated_sesh_atomic = serializers.CharField(
        help_text="integer as a string: floor(pool × stake_blocks / total) if the program ended at this snapshot"
    )
    snapshot_height = serializers.IntegerField(help_text="the latest snapshot's height; heights below it count")
    total_stake_blocks = serializers.CharField()
    pool_atomic = serializers.CharField()


def _error(field: str, code: str, message: str, http_status: int) -> HttpResponse:
    return single_problem(http_status, field, code, message)


class BonusDetailView(APIView):
    """Staking Points of one registered Oxen address."""

    @extend_schema(
        operation_id="bonus_retrieve",
        summary="Staking Points, rank and estimated SESH of an Oxen address",
        parameters=[value_parameter("oxen_address", "oxen-address", "a registered Oxen address",
                                    examples.OXEN_PARAMETER)],
        responses={
            200: BonusEntrySerializer,
            400: problem("not a primary Oxen address of this network"),
            404: problem("not registered"),
            503: problem("no snapshot captured yet"),
        },
    )
    def get(self, request: Request, oxen_address: str) -> HttpResponse:
        _, problem = check_oxen_address(oxen_address, configured_network())
        if problem is not None:
            return _error("oxen_address", problem.code, problem.message, status.HTTP_400_BAD_REQUEST)
        board = current_leaderboard()
        if board is None:
            return _error("non_field_errors", "no_snapshot", "No snapshot has been captured yet.",
                          status.HTTP_503_SERVICE_UNAVAILABLE)
        entry = board.lookup(oxen_address)
        if entry is None:
            return _error("oxen_address", "not_registered",
                          "This Oxen address is not registered, so it earns no points; register it first.",
                          status.HTTP_404_NOT_FOUND)
        data = {
            "oxen_address": entry.oxen_address,
            "eth_address": entry.eth_address,
            "rank": entry.rank,
            "stake_blocks": str(entry.stake_blocks),
            "points": entry.points,
            "estimated_sesh_atomic": str(entry.estimated_sesh_atomic),
            "snapshot_height": board.snapshot_height,
            "total_stake_blocks": str(board.total_stake_blocks),
            "pool_atomic": str(board.pool_atomic),
        }
        return Response(BonusEntrySerializer(data).data)
