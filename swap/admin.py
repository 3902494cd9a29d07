"""Admin for the shared core: the audit trail (read-only for everyone) and the report pages.

The reconciliation page is served by the default `admin.site`, which every app registers its
models with: its URL patterns are put in front of the site's own (see `swap.admin_views`).
"""

from typing import Any

from django.contrib import admin

from swap.admin_tools import ReadOnlyAdmin
from swap.admin_views import report_urls
from swap.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "tag", "actor", "subject", "ip_hash")
    list_filter = ("tag", "created_at")
    search_fields = ("tag", "actor", "subject", "ip_hash")
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "tag", "actor", "subject", "ip_hash", "data")


_site_urls = admin.site.get_urls


def _get_urls_with_reports() -> list[Any]:
    return [*report_urls(), *_site_urls()]


admin.site.get_urls = _get_urls_with_reports  # type: ignore[method-assign]
