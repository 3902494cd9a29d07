"""Admin for the shared core: the audit trail, read-only for everyone."""

from django.contrib import admin

from swap.admin_tools import ReadOnlyAdmin
from swap.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "tag", "actor", "subject", "ip_hash")
    list_filter = ("tag", "created_at")
    search_fields = ("tag", "actor", "subject", "ip_hash")
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "tag", "actor", "subject", "ip_hash", "data")
