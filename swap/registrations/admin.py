"""Admin for registrations: read-only for everyone; history rows are never edited or deleted."""

from django.contrib import admin

from swap.admin_tools import ReadOnlyAdmin
from swap.registrations.models import Registration


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "oxen_address", "eth_address", "is_current", "matched_form", "superseded_at")
    list_filter = ("is_current", "matched_form", "created_at")
    search_fields = ("oxen_address", "eth_address", "node_pubkey")
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Registration._meta.fields]
