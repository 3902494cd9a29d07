"""Admin for the Service Node Bonus: snapshots, nodes and intervals read-only; gaps acknowledged.

Snapshots, nodes and intervals are derived from the chain: nobody edits them, superusers
included (`ReadOnlyAdmin`). A gap can only be acknowledged, by an audited action. Snapshot lists
never load the compressed payload; one snapshot's canonical JSON is downloadable (audited) so an
auditor can check its sha256.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone

from bonuses.models import ServiceNode, ServiceNodeSnapshot, SnapshotGap, StakeInterval
from swap.admin_tools import ReadOnlyAdmin, audited_action, export_as_csv
from swap.core.csv_writer import csv_lines

SNAPSHOT_EXPORT_FIELDS = [
    f.attname for f in ServiceNodeSnapshot._meta.concrete_fields if f.name != "payload"
]


@audited_action("Export selected snapshots as CSV (without payloads)", permissions=["view"])
def export_snapshots_as_csv(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet
) -> StreamingHttpResponse:
    """Like `export_as_csv`, minus the compressed payload column (megabytes per row)."""
    rows = queryset.order_by("height").values_list(*SNAPSHOT_EXPORT_FIELDS).iterator(chunk_size=2000)
    response = StreamingHttpResponse(csv_lines(SNAPSHOT_EXPORT_FIELDS, rows), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="servicenodesnapshot.csv"'
    return response


@audited_action("Download the canonical JSON of one snapshot", permissions=["view"])
def download_snapshot_json(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet
) -> HttpResponse | None:
    """The stored bytes whose sha256 is published: `sha256sum` of the download must match."""
    if queryset.count() != 1:
        modeladmin.message_user(request, "Select exactly one snapshot to download.", messages.WARNING)
        return None
    snapshot = ServiceNodeSnapshot.objects.get(pk=queryset.get().pk)
    response = HttpResponse(snapshot.canonical_json(), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="snapshot-{snapshot.height}.json"'
    return response


@admin.register(ServiceNodeSnapshot)
class ServiceNodeSnapshotAdmin(ReadOnlyAdmin):
    actions = [export_snapshots_as_csv, download_snapshot_json]
    list_display = ("height", "block_hash", "block_time", "captured_at", "source", "provisional",
                    "node_count", "earning_stake_count", "intervals_opened", "intervals_closed")
    list_filter = ("provisional", "source", "captured_at")
    search_fields = ("=height", "block_hash", "sha256")
    date_hierarchy = "captured_at"
    exclude = ("payload",)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).defer("payload")

    @admin.display(description="block time (UTC)", ordering="block_timestamp")
    def block_time(self, snapshot: ServiceNodeSnapshot) -> str:
        if snapshot.block_timestamp is None:
            return "—"
        return datetime.fromtimestamp(snapshot.block_timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S")


class ListedFilter(admin.SimpleListFilter):
    title = "listed in the latest snapshot"
    parameter_name = "listed"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", "listed"), ("no", "gone")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in ("yes", "no"):
            return queryset.filter(gone_height__isnull=self.value() == "yes")
        return queryset


@admin.register(ServiceNode)
class ServiceNodeAdmin(ReadOnlyAdmin):
    actions = [export_as_csv]
    list_display = ("pubkey", "state", "operator_address", "first_seen_height", "last_seen_height",
                    "gone_height", "requested_unlock_height", "state_height")
    list_filter = ("state", ListedFilter, "first_seen_at")
    search_fields = ("pubkey", "operator_address")
    date_hierarchy = "first_seen_at"


class OpenFilter(admin.SimpleListFilter):
    title = "still earning"
    parameter_name = "open"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", "open"), ("no", "closed")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in ("yes", "no"):
            return queryset.filter(to_height__isnull=self.value() == "yes")
        return queryset


@admin.register(StakeInterval)
class StakeIntervalAdmin(ReadOnlyAdmin):
    actions = [export_as_csv]
    list_display = ("oxen_address", "node", "amount_atomic", "from_height", "to_height")
    list_filter = (OpenFilter, "created_at")
    search_fields = ("=oxen_address", "node__pubkey")
    date_hierarchy = "created_at"
    list_select_related = ("node",)


@audited_action("Acknowledge selected gaps (checked by a person)", permissions=["acknowledge"])
def acknowledge_gaps(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    changed = queryset.filter(acknowledged=False).update(
        acknowledged=True, acknowledged_by=request.user.get_username(), acknowledged_at=timezone.now()
    )
    modeladmin.message_user(request, f"{changed} gaps acknowledged.", messages.SUCCESS)


@admin.register(SnapshotGap)
class SnapshotGapAdmin(ReadOnlyAdmin):
    actions = [export_as_csv, acknowledge_gaps]
    list_display = ("from_height", "to_height", "blocks", "flagged_at", "acknowledged", "acknowledged_by",
                    "acknowledged_at")
    list_filter = ("acknowledged", "flagged_at")
    search_fields = ("=from_height", "=to_height")
    date_hierarchy = "flagged_at"

    def has_acknowledge_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("bonuses.change_snapshotgap"))
