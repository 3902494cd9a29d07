"""Admin for Oxen Coin Claims: money records read-only; snapshots and burns entered, never edited.

- Supply snapshots: an add form (the rate is derived, never typed) and "fill from oxend", which
  enqueues a task: the admin request itself makes no oxend call (except in the embedded default,
  where Celery runs tasks in the caller). Both are refused once a deposit has been credited.
- Burns: an add form; entries are never changed or deleted.
- Claims, subaddresses, deposits, credits and the ledger row: read-only for everyone.
- Flags: resolved, and held deposits released, only through audited actions.
Every page exports CSV (`export_as_csv`, audited).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse

from claims.forms import BurnForm, FillFromOxendForm, SupplySnapshotForm
from claims.models import (
    Burn,
    Claim,
    ClaimCredit,
    ClaimFlag,
    ClaimsLedger,
    Deposit,
    QuarantinedTransfer,
    Subaddress,
    SupplySnapshot,
)
from claims.services.burns import record_burn
from claims.services.flags import resolve_flags
from claims.services.review import release_held
from claims.services.supply import enter_supply_snapshot
from claims.tasks import fill_supply_snapshot_task
from swap.admin_tools import ExportableAdmin, ReadOnlyAdmin, audited_action, export_as_csv
from swap.audit import record_event
from swap.core.claims_allocation import format_atomic
from swap.http import client_ip


def _actor(request: HttpRequest) -> str:
    return f"user:{request.user.get_username()}"


def _copy_into(target: Any, source: Any) -> None:
    """Make the admin's unsaved form object the row the service stored (for its redirect and log)."""
    for field in type(source)._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    target._state.adding = False


class _AddOnlyAdmin(ExportableAdmin):
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SupplySnapshot)
class SupplySnapshotAdmin(_AddOnlyAdmin):
    form = SupplySnapshotForm
    change_list_template = "claims/admin/supply_change_list.html"
    list_display = ("id", "height", "block_hash", "sesh_per_oxen", "circulating_oxen", "source", "entered_by",
                    "is_active", "created_at")
    list_filter = ("is_active", "source")
    search_fields = ("=height", "block_hash", "entered_by")

    @admin.display(description="circulating OXEN")
    def circulating_oxen(self, obj: SupplySnapshot) -> str:
        return format_atomic(obj.circulating_atomic)

    @admin.display(description="SESH per OXEN (9 decimals, truncated)")
    def sesh_per_oxen(self, obj: SupplySnapshot) -> str:
        return obj.sesh_per_oxen

    def save_model(self, request: HttpRequest, obj: SupplySnapshot, form: Any, change: bool) -> None:
        data = form.cleaned_data
        snapshot = enter_supply_snapshot(
            height=data["height"], block_hash=data["block_hash"], emission_atomic=data["emission_atomic"],
            burned_atomic=data["burned_atomic"], excluded=data["excluded"], entered_by=_actor(request),
            notes=data.get("notes", ""),
        )
        _copy_into(obj, snapshot)

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view(self.fill_from_oxend_view)
        return [path("fill-from-oxend/", view, name="claims_supplysnapshot_fill"), *super().get_urls()]

    def fill_from_oxend_view(self, request: HttpRequest) -> HttpResponse:
        """Enqueue `fill_supply_snapshot_task`; the worker talks to oxend, not this request."""
        if not self.has_add_permission(request):
            return HttpResponse("Forbidden", status=403)
        form = FillFromOxendForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            height = form.cleaned_data["height"]
            excluded = [holding.as_json() for holding in form.cleaned_data["excluded"]]
            with transaction.atomic():
                record_event("admin:action", actor=_actor(request), subject="claims.SupplySnapshot:fill_from_oxend",
                             data={"height": height, "excluded": excluded}, ip=client_ip(request))
                fill_supply_snapshot_task.delay_on_commit(height, excluded, f"{_actor(request)} via oxend")
            self.message_user(request, f"Asked a worker to fetch the supply at height {height} from oxend; the "
                                       "snapshot appears here when it answers.", messages.INFO)
            return HttpResponseRedirect(reverse("admin:claims_supplysnapshot_changelist"))
        context = {**self.admin_site.each_context(request), "form": form, "title": "Fill a supply snapshot from oxend",
                   "opts": self.model._meta}
        return render(request, "claims/admin/fill_from_oxend.html", context)


@admin.register(Burn)
class BurnAdmin(_AddOnlyAdmin):
    form = BurnForm
    list_display = ("txid", "amount_atomic", "amount_oxen", "entered_by", "created_at")
    list_filter = ("entered_by", "created_at")
    search_fields = ("txid", "entered_by", "notes")
    date_hierarchy = "created_at"

    @admin.display(description="OXEN")
    def amount_oxen(self, obj: Burn) -> str:
        return format_atomic(obj.amount_atomic)

    def save_model(self, request: HttpRequest, obj: Burn, form: Any, change: bool) -> None:
        data = form.cleaned_data
        burn = record_burn(data["txid"], data["amount_atomic"], entered_by=_actor(request), notes=data.get("notes", ""))
        _copy_into(obj, burn)


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = ("id", "oxen_address", "eth_address", "subaddress", "created_at")
    list_filter = ("created_at",)
    search_fields = ("=id", "oxen_address", "eth_address", "subaddress__address")
    date_hierarchy = "created_at"
    list_select_related = ("subaddress",)


@admin.register(Subaddress)
class SubaddressAdmin(ReadOnlyAdmin):
    list_display = ("account_index", "address_index", "address", "label", "use", "created_at")
    list_filter = ("use", "account_index")
    search_fields = ("address", "label", "=address_index")


@audited_action("Release the selected held deposits for crediting (unlock time or amount reviewed)",
                permissions=["release"])
def release_deposits(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    released = release_held(list(queryset.values_list("pk", flat=True)), actor=_actor(request))
    modeladmin.message_user(request, f"{released} deposit(s) released; the next poll credits them if confirmed.",
                            messages.INFO)


@admin.register(Deposit)
class DepositAdmin(ReadOnlyAdmin):
    actions = [export_as_csv, release_deposits]
    list_display = ("txid", "account_index", "address_index", "amount_atomic", "height", "confirmations", "state",
                    "hold_reason", "vanished_at", "claim")
    list_filter = ("state", "hold_reason", ("vanished_at", admin.EmptyFieldListFilter))
    search_fields = ("txid", "=address_index", "claim__eth_address", "claim__oxen_address")
    date_hierarchy = "first_seen_at"

    def has_release_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("claims.release_deposit")


@admin.register(ClaimCredit)
class ClaimCreditAdmin(ReadOnlyAdmin):
    list_display = ("id", "claim", "eth_address", "txid", "amount_oxen_atomic", "rate_num", "rate_den",
                    "multiplier_text", "sesh_atomic", "capped", "credited_height", "created_at")
    list_filter = ("capped",)
    search_fields = ("eth_address", "txid", "=claim__id")
    date_hierarchy = "created_at"

    @admin.display(description="multiplier")
    def multiplier_text(self, obj: ClaimCredit) -> str:
        return str(obj.multiplier)


@admin.register(QuarantinedTransfer)
class QuarantinedTransferAdmin(ReadOnlyAdmin):
    """Wallet entries the watcher could not read: each raised a `malformed_transfer` flag to review."""

    list_display = ("txid", "account_index", "address_index", "reason", "first_seen_wallet_height", "first_seen_at")
    search_fields = ("txid", "identity", "reason")
    date_hierarchy = "first_seen_at"


@audited_action("Mark the selected flags resolved", permissions=["resolve"])
def resolve_selected(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    resolved = resolve_flags(list(queryset.values_list("pk", flat=True)), actor=_actor(request))
    modeladmin.message_user(request, f"{resolved} flag(s) resolved.", messages.INFO)


class OpenFlagFilter(admin.SimpleListFilter):
    title = "open"
    parameter_name = "open"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", "open"), ("no", "resolved")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in ("yes", "no"):
            return queryset.filter(resolved_at__isnull=self.value() == "yes")
        return queryset


@admin.register(ClaimFlag)
class ClaimFlagAdmin(ReadOnlyAdmin):
    actions = [export_as_csv, resolve_selected]
    list_display = ("kind", "key", "message", "created_at", "resolved_at", "resolved_by")
    list_filter = (OpenFlagFilter, "kind")
    search_fields = ("key", "message")
    date_hierarchy = "created_at"

    def has_resolve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("claims.resolve_flag")


@admin.register(ClaimsLedger)
class ClaimsLedgerAdmin(ReadOnlyAdmin):
    list_display = ("id", "snapshot", "pool_atomic", "credited_sesh_atomic", "credited_oxen_atomic", "credit_count",
                    "updated_at")
