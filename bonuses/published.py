"""The bonus inputs anyone may download to recompute the split (SPEC §6).

Two CSV files, computed from final snapshots only (a provisional one may still be undone):
`bonus-inputs.csv` has `oxen_address,eth_address,stake_blocks` per registered address, the
inputs of the split; `bonus-snapshots.csv` has `height,block_hash,sha256,final` per snapshot,
the digests behind every interval. Together with `swap/core/bonus_allocation.py` and
`swap/core/split.py` they reproduce every published bonus amount. Once a round holds the bonus,
the inputs map to the ETH addresses registered at that round's cut-off, as the rounds do
(`entitlements.py`), so they reproduce its bonus column however registrations change later.

The inputs take a full accrual and split to compute, so they are cached under a key naming
everything they depend on (the latest final snapshot, the pinned round, the newest registration
row: registrations are append-only), and an anonymous GET costs a cache read.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from bonuses.models import ServiceNodeSnapshot
from bonuses.services.allocations import BonusUnavailable, latest_snapshot, points_rows
from bonuses.services.entitlements import bonus_report_as_paid, pinned_bonus_round
from swap.api import examples
from swap.api.problems import Problem
from swap.api.renderers import CSVRenderer
from swap.api.schema import problem
from swap.core.csv_writer import csv_text
from swap.distributions.models import DistributionRound, RoundStatus
from swap.registrations.models import Registration

INPUTS_CACHE_SECONDS = 600
INPUTS_HEADER = ("oxen_address", "eth_address", "stake_blocks")
SNAPSHOTS_HEADER = ("height", "block_hash", "sha256", "final")


def _attachment(filename: str, text: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _inputs_csv() -> tuple[str, str]:
    """(filename, CSV text) of the bonus inputs, from the cache when nothing they depend on changed."""
    latest, pinned = latest_snapshot(final_only=True), pinned_bonus_round()
    newest = Registration.objects.order_by("-id").values_list("id", flat=True).first()
    key = "bonuses:inputs:v1:" + ":".join(
        str(part) for part in (latest and latest.height, latest and latest.block_hash, pinned and pinned.number, newest)
    )
    cached: tuple[str, str] | None = cache.get(key)
    if cached is None:
        report = bonus_report_as_paid(pinned)
        rows = ((row.oxen_address, row.eth_address, row.stake_blocks) for row in points_rows(report))
        name = f"bonus-inputs-{report.at_height}" + (f"-round-{pinned.number}" if pinned is not None else "")
        cached = (f"{name}.csv", csv_text(INPUTS_HEADER, rows))
        cache.set(key, cached, INPUTS_CACHE_SECONDS)
    return cached


def _inputs_or_503() -> tuple[str, str]:
    try:
        return _inputs_csv()
    except BonusUnavailable as error:
        raise Problem(503, "non_field_errors", "no_final_snapshot", str(error), {"Retry-After": "600"}) from None


INPUTS_COLUMNS = "oxen_address,eth_address,stake_blocks (one row per registered Oxen address)"
DIGEST_COLUMNS = "height,block_hash,sha256,final (sha256 of the stored canonical JSON)"
NO_FINAL_SNAPSHOT = problem("no final snapshot yet (see Retry-After)")
ROUND_NUMBER = OpenApiParameter("number", {"type": "integer", "minimum": 0}, OpenApiParameter.PATH,
                                description="the round's number", examples=examples.ROUND_PARAMETER)


class PublishedCsvView(APIView):
    """A GET-only CSV file of the API (in the schema, errors in the API's envelope)."""

    renderer_classes = [CSVRenderer]


class BonusInputsView(PublishedCsvView):
    @extend_schema(operation_id="bonus_inputs_retrieve", summary="The bonus inputs at the latest final snapshot",
                   responses={200: OpenApiResponse(OpenApiTypes.STR, description=INPUTS_COLUMNS),
                              503: NO_FINAL_SNAPSHOT})
    def get(self, request: Request) -> HttpResponse:
        """Stake-blocks per registered Oxen address at the latest final snapshot; 503 before one exists."""
        return _attachment(*_inputs_or_503())


def _snapshot_digests_text(snapshots: QuerySet[ServiceNodeSnapshot]) -> str:
    rows = (
        (height, block_hash, sha256, "false" if provisional else "true")
        for height, block_hash, sha256, provisional in snapshots.order_by("height").values_list(
            "height", "block_hash", "sha256", "provisional"
        )
    )
    return csv_text(SNAPSHOTS_HEADER, rows)


class BonusSnapshotsView(PublishedCsvView):
    @extend_schema(operation_id="bonus_snapshots_retrieve", summary="Every stored snapshot's digest",
                   responses={200: OpenApiResponse(OpenApiTypes.STR, description=DIGEST_COLUMNS)})
    def get(self, request: Request) -> HttpResponse:
        """Every stored snapshot's height, block hash and sha256 of its stored JSON, oldest first."""
        return _attachment("bonus-snapshots.csv", _snapshot_digests_text(ServiceNodeSnapshot.objects.all()))


# -- per round (SPEC §6): the same files as one round saw them -------------------------------------


def _round(number: int) -> DistributionRound:
    round_ = DistributionRound.objects.exclude(status=RoundStatus.DRAFT).filter(number=number).first()
    if round_ is None:
        raise Problem(404, "number", "not_found", f"No round {number} has been frozen.")
    return round_


def round_bonus_inputs_text(round_: DistributionRound) -> str:
    """The bonus inputs behind `round_`'s bonus column; only the header when it holds no bonus.

    A round holds either no bonus or the pinned one (`entitlements.py`), so its inputs are the
    pinned inputs: the same rows as `bonus-inputs.csv` once the bonus is pinned. The round's
    bundle holds these very bytes.
    """
    if round_.bonus_total_atomic == 0:
        return csv_text(INPUTS_HEADER, ())
    return _inputs_csv()[1]


def round_snapshots(round_: DistributionRound) -> QuerySet[ServiceNodeSnapshot]:
    """The snapshots stored at `round_`'s cut-off (those it could use)."""
    return ServiceNodeSnapshot.objects.filter(captured_at__lte=round_.cutoff_at)


def round_bonus_snapshots_text(round_: DistributionRound) -> str:
    """`height,block_hash,sha256,final` of every snapshot stored at `round_`'s cut-off, oldest first."""
    return _snapshot_digests_text(round_snapshots(round_))


class RoundBonusInputsView(PublishedCsvView):
    @extend_schema(operation_id="rounds_bonus_inputs_retrieve", summary="The bonus inputs behind a round",
                   parameters=[ROUND_NUMBER],
                   responses={200: OpenApiResponse(OpenApiTypes.STR, description=INPUTS_COLUMNS),
                              404: problem("no frozen round with that number"), 503: NO_FINAL_SNAPSHOT})
    def get(self, request: Request, number: int) -> HttpResponse:
        """The bonus inputs behind round `number`'s bonus column; only the header when it holds no bonus.

        A round holds either no bonus or the pinned one (`entitlements.py`), so its inputs are the
        pinned inputs: the same rows as `bonus-inputs.csv` once the bonus is pinned.
        """
        round_ = _round(number)
        if round_.bonus_total_atomic:
            _inputs_or_503()  # a 503 in the envelope before any final snapshot exists
        return _attachment(f"round-{round_.number}.bonus-inputs.csv", round_bonus_inputs_text(round_))


class RoundBonusSnapshotsView(PublishedCsvView):
    @extend_schema(operation_id="rounds_bonus_snapshots_retrieve", summary="The snapshot digests a round could use",
                   parameters=[ROUND_NUMBER],
                   responses={200: OpenApiResponse(OpenApiTypes.STR, description=DIGEST_COLUMNS),
                              404: problem("no frozen round with that number")})
    def get(self, request: Request, number: int) -> HttpResponse:
        """The digests of the snapshots stored at round `number`'s cut-off (those it could use)."""
        round_ = _round(number)
        return _attachment(f"round-{round_.number}.bonus-snapshots.csv", round_bonus_snapshots_text(round_))
