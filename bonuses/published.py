"""The bonus inputs anyone may download to recompute the split (SPEC §6).

Two CSV files, computed from final snapshots only (a provisional one may still be undone):
`bonus-inputs.csv` has `oxen_address,eth_address,stake_blocks` per registered address, the
inputs of the split; `bonus-snapshots.csv` has `height,block_hash,sha256,final` per snapshot,
the digests behind every interval. Together with `bonuses/allocation.py` and
`swap/core/split.py` they reproduce every published bonus amount.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from bonuses.models import ServiceNodeSnapshot
from bonuses.services.allocations import BonusUnavailable, compute_bonus, points_rows


def _csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def bonus_inputs_csv(request: HttpRequest) -> HttpResponse:
    """Stake-blocks per registered Oxen address at the latest final snapshot; 503 before one exists."""
    try:
        report = compute_bonus(final_only=True)
    except BonusUnavailable as error:
        return HttpResponse(f"{error}\n", status=503, content_type="text/plain")
    rows = ((row.oxen_address, row.eth_address, row.stake_blocks) for row in points_rows(report))
    return _csv_response(
        f"bonus-inputs-{report.at_height}.csv", ("oxen_address", "eth_address", "stake_blocks"), rows
    )


@require_GET
def bonus_snapshots_csv(request: HttpRequest) -> HttpResponse:
    """Every stored snapshot's height, block hash and sha256 of its stored JSON, oldest first."""
    rows = (
        (height, block_hash, sha256, "false" if provisional else "true")
        for height, block_hash, sha256, provisional in ServiceNodeSnapshot.objects.order_by("height").values_list(
            "height", "block_hash", "sha256", "provisional"
        )
    )
    return _csv_response("bonus-snapshots.csv", ("height", "block_hash", "sha256", "final"), rows)
