"""Admin for the shared core: the audit trail (read-only for everyone), report pages, audited edits.

- The reconciliation page is served by the default `admin.site`, which every app registers its
  models with: its URL patterns are put in front of the site's own (see `swap.overview.admin_views`).
- Django's site-wide "delete selected" action is switched off: every action in this admin is an
  `audited_action`, and no record a person may delete is deleted in bulk.
- The login form is `swap.admin_login.GuardedAuthenticationForm`: per-client and per-username
  lockout and an audit event for every failure (`swap.login_guard`).
- What the admin's own forms add, change or delete (users, groups, supply snapshots, burns) is
  logged by Django as a `LogEntry` inside the form's transaction; each one is copied into the
  audit trail (`admin:added`, `admin:changed`, `admin:deleted`) in that same transaction.
"""

from typing import Any

from django.contrib import admin
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.db.models.signals import post_save

from swap.admin_login import GuardedAuthenticationForm
from swap.admin_tools import ReadOnlyAdmin, export_as_csv
from swap.audit import record_event
from swap.models import AuditEvent
from swap.overview.admin_views import report_urls

LOG_TAGS = {ADDITION: "admin:added", CHANGE: "admin:changed", DELETION: "admin:deleted"}

admin.site.login_form = GuardedAuthenticationForm


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "tag", "actor", "subject", "ip_hash")
    list_filter = ("tag", "created_at")
    search_fields = ("tag", "actor", "subject", "ip_hash")
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "tag", "actor", "subject", "ip_hash", "data")


# Users and groups keep Django's own admin (forms, permissions), plus the CSV export every page has;
# the export leaves out password hashes.
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class AuditedUserAdmin(UserAdmin):
    actions = [export_as_csv]
    csv_exclude = ("password",)
    date_hierarchy = "date_joined"


@admin.register(Group)
class AuditedGroupAdmin(GroupAdmin):
    actions = [export_as_csv]


_site_urls = admin.site.get_urls


def _get_urls_with_reports() -> list[Any]:
    return [*report_urls(), *_site_urls()]


admin.site.get_urls = _get_urls_with_reports  # type: ignore[method-assign]
admin.site.disable_action("delete_selected")


def audit_admin_log_entry(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    """Copy an admin form's `LogEntry` into the audit trail, in the transaction that wrote it."""
    if not created:
        return
    content_type = instance.content_type
    model = f"{content_type.app_label}.{content_type.model}" if content_type else "unknown"
    with transaction.atomic():  # a savepoint of the form's transaction (the admin wraps its views in one)
        record_event(
            LOG_TAGS.get(instance.action_flag, "admin:logged"),
            actor=f"user:{instance.user.get_username()}",
            subject=f"{model}:{instance.object_id}",
            data={"object": instance.object_repr, "change": instance.get_change_message()},
        )


post_save.connect(audit_admin_log_entry, sender=LogEntry, dispatch_uid="swap.audit_admin_log_entry")
