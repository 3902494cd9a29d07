"""Admin for the outbox: every transaction and attempt, read-only for everyone.

The outbox is the record of what left the service; nobody edits it by hand (a wrong status here
could make the tracker pay or skip something). Recovery is `manage.py track_transactions`.
"""

from django.contrib import admin

from swap.admin_tools import ReadOnlyAdmin
from swap.chain.models import (
    ChainAccount,
    L2Transaction,
    L2TransactionAttempt,
    ProgramClosure,
    ProgramEndAnnouncement,
    RemainderWithdrawal,
)


class AttemptInline(admin.TabularInline):
    model = L2TransactionAttempt
    extra = 0
    can_delete = False
    fields = ("tx_hash", "kind", "max_fee_per_gas", "max_priority_fee_per_gas", "gas_limit", "created_at",
              "broadcast_at", "last_error")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(L2Transaction)
class L2TransactionAdmin(ReadOnlyAdmin):
    list_display = ("id", "purpose", "subject", "status", "nonce", "tx_hash", "block_number", "created_at")
    list_filter = ("status", "purpose", "chain_id")
    search_fields = ("subject", "tx_hash", "attempts__tx_hash", "sender", "to_address")
    date_hierarchy = "created_at"
    inlines = [AttemptInline]


@admin.register(L2TransactionAttempt)
class L2TransactionAttemptAdmin(ReadOnlyAdmin):
    list_display = ("tx_hash", "kind", "transaction", "max_fee_per_gas", "created_at", "broadcast_at")
    list_filter = ("kind", "transaction__purpose", "transaction__status")
    search_fields = ("tx_hash", "transaction__subject")
    date_hierarchy = "created_at"


@admin.register(ChainAccount)
class ChainAccountAdmin(ReadOnlyAdmin):
    list_display = ("address", "chain_id", "next_nonce", "updated_at")
    list_filter = ("chain_id",)
    search_fields = ("address",)


@admin.register(ProgramEndAnnouncement)
class ProgramEndAnnouncementAdmin(ReadOnlyAdmin):
    list_display = ("end_time", "distributor", "chain_id", "announced_at", "actor")
    list_filter = ("chain_id",)


@admin.register(ProgramClosure)
class ProgramClosureAdmin(ReadOnlyAdmin):
    list_display = ("distributor", "end_time", "chain_time", "closed_at", "actor")


@admin.register(RemainderWithdrawal)
class RemainderWithdrawalAdmin(ReadOnlyAdmin):
    list_display = ("id", "status", "recipient", "amount_atomic", "safe_tx_hash", "safe_nonce", "transaction",
                    "created_at")
    list_filter = ("status", "chain_id")
    search_fields = ("safe_tx_hash", "recipient")
