"""Admin for the watchdog: its records read-only for everyone; alerts acknowledged by an audited action.

The admin home page shows open alerts in red (`templates/admin/index.html`, tag
`watchdog_status`); acknowledging is the only change anyone can make here, it needs
`watchdog.acknowledge_alert` (operators and superusers), and it writes an `admin:action` event
plus one `watchdog:alert_acknowledged` per alert in the action's transaction.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from swap.admin_tools import ReadOnlyAdmin, audited_action
from swap.watchdog.models import Alert, ClaimCheck, ProposalCheck, RootActivation, WatchCursor
from swap.watchdog.services.alerts import acknowledge_alerts as acknowledge


class OpenFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "open"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", "open"), ("no", "acknowledged")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(acknowledged_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(acknowledged_at__isnull=False)
        return queryset


@audited_action("Acknowledge the selected alerts (a person has looked)", permissions=["acknowledge"])
def acknowledge_alerts(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    username = request.user.get_username()
    count = acknowledge(list(queryset.values_list("pk", flat=True)), by=username, actor=f"user:{username}")
    modeladmin.message_user(request, f"{count} alert(s) acknowledged.", messages.SUCCESS)


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    actions = [*ReadOnlyAdmin.actions, acknowledge_alerts]
    list_display = ("raised_at", "kind", "message", "acknowledged_at", "acknowledged_by")
    list_filter = (OpenFilter, "kind")
    search_fields = ("subject", "message")
    date_hierarchy = "raised_at"

    def has_acknowledge_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("watchdog.acknowledge_alert"))


@admin.register(ProposalCheck)
class ProposalCheckAdmin(ReadOnlyAdmin):
    list_display = ("round_id", "root", "verdict", "declared_total", "declared_accounts", "activates_at", "source",
                    "response")
    list_filter = ("verdict", "source")
    search_fields = ("root", "tx_hash")
    date_hierarchy = "seen_at"


@admin.register(ClaimCheck)
class ClaimCheckAdmin(ReadOnlyAdmin):
    list_display = ("block_number", "eth_address", "amount_atomic", "cumulative_atomic", "round_id",
                    "entitled_atomic", "verdict", "reason")
    list_filter = ("verdict",)
    search_fields = ("eth_address", "tx_hash")


@admin.register(RootActivation)
class RootActivationAdmin(ReadOnlyAdmin):
    list_display = ("round_id", "root", "block_number", "tx_hash")
    search_fields = ("root", "tx_hash")


@admin.register(WatchCursor)
class WatchCursorAdmin(ReadOnlyAdmin):
    list_display = ("distributor", "chain_id", "next_block", "last_pass_at", "last_pass_head", "passes")
