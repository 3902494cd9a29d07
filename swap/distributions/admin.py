"""Admin for distributions: everything read-only; operators start jobs through audited actions.

Freezing, publishing and payouts are never done inline: the actions enqueue the Celery task after
the `admin:action` event commits, so the admin process makes no chain call and a job runs once.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from swap.admin_tools import ReadOnlyAdmin, audited_action
from swap.distributions.models import (
    ClaimEvent,
    ClaimIndexCursor,
    DistributionEntry,
    DistributionRound,
    PayoutBatch,
    PayoutItem,
    PayoutRequest,
    RoundDump,
    RoundStatus,
)
from swap.distributions.tasks import freeze_round_task, publish_round_task, run_payouts_task


def _enqueue_for(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet, status: str, task: Any,
                 verb: str) -> None:
    ready = list(queryset.filter(status=status).values_list("pk", "number"))
    for pk, _ in ready:
        task.delay_on_commit(pk)
    skipped = queryset.count() - len(ready)
    modeladmin.message_user(request, f"{verb} queued for round(s) {[n for _, n in ready]}; {skipped} skipped "
                            f"(not {status})", messages.INFO)


@audited_action("Freeze the selected draft rounds", permissions=["freeze_round"])
def freeze_rounds(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    _enqueue_for(modeladmin, request, queryset, RoundStatus.DRAFT, freeze_round_task, "Freezing")


@audited_action("Publish (propose) the selected frozen rounds' roots", permissions=["publish_round"])
def publish_rounds(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    _enqueue_for(modeladmin, request, queryset, RoundStatus.FROZEN, publish_round_task, "Publishing")


@audited_action("Run payouts for the selected active round", permissions=["run_payouts"])
def run_payouts(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    _enqueue_for(modeladmin, request, queryset, RoundStatus.ACTIVE, run_payouts_task, "Payouts")


@admin.register(DistributionRound)
class DistributionRoundAdmin(ReadOnlyAdmin):
    list_display = ("number", "status", "cutoff_at", "count", "total_atomic", "root", "propose_tx", "activates_at",
                    "activated_at")
    list_filter = ("status",)
    search_fields = ("root", "dump_sha256")
    date_hierarchy = "cutoff_at"
    actions = [*ReadOnlyAdmin.actions, freeze_rounds, publish_rounds, run_payouts]

    def has_freeze_round_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("distributions.freeze_round")

    def has_publish_round_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("distributions.publish_round")

    def has_run_payouts_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("distributions.run_payouts")


@admin.register(DistributionEntry)
class DistributionEntryAdmin(ReadOnlyAdmin):
    list_display = ("eth_address", "round", "bonus_atomic", "claims_atomic", "cumulative_atomic")
    list_filter = ("round",)
    search_fields = ("eth_address",)
    exclude = ("proof",)
    readonly_fields = ("proof_hex",)


@admin.register(PayoutRequest)
class PayoutRequestAdmin(ReadOnlyAdmin):
    list_display = ("eth_address", "requested_by", "created_at")
    list_filter = ("requested_by",)
    search_fields = ("eth_address",)
    date_hierarchy = "created_at"


class PayoutItemInline(admin.TabularInline):
    model = PayoutItem
    extra = 0
    can_delete = False
    fields = ("eth_address", "cumulative_atomic", "active")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PayoutBatch)
class PayoutBatchAdmin(ReadOnlyAdmin):
    list_display = ("id", "round", "status", "transaction", "created_at", "finished_at")
    list_filter = ("status", "round")
    search_fields = ("=id", "transaction__tx_hash", "items__eth_address")
    date_hierarchy = "created_at"
    inlines = [PayoutItemInline]


@admin.register(PayoutItem)
class PayoutItemAdmin(ReadOnlyAdmin):
    list_display = ("eth_address", "batch", "round", "cumulative_atomic", "active")
    list_filter = ("active", "round")
    search_fields = ("eth_address",)


@admin.register(ClaimEvent)
class ClaimEventAdmin(ReadOnlyAdmin):
    list_display = ("eth_address", "amount_atomic", "cumulative_atomic", "block_number", "tx_hash")
    list_filter = ("chain_id", "distributor")
    search_fields = ("eth_address", "tx_hash")


@admin.register(RoundDump)
class RoundDumpAdmin(ReadOnlyAdmin):
    list_display = ("round", "sha256")
    list_filter = ("round",)
    search_fields = ("sha256",)


@admin.register(ClaimIndexCursor)
class ClaimIndexCursorAdmin(ReadOnlyAdmin):
    list_display = ("distributor", "chain_id", "next_block", "last_block_hash")
    list_filter = ("chain_id",)
    search_fields = ("distributor",)
