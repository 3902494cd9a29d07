"""Building blocks every admin page uses: read-only money records, CSV export, audited actions.

Auditors must be able to answer every question from the admin and change nothing, so records of
money, audit events, snapshots and frozen rounds use `ReadOnlyAdmin`: no add, change or delete
for anyone, superusers included. Every admin action goes through `audited_action`, which writes an
`admin:action` audit event in the same transaction as the action's effect.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from swap.audit import record_event

AdminAction = Callable[[admin.ModelAdmin, HttpRequest, models.QuerySet], Any]


def client_ip_of(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def audited_action(
    description: str, *, permissions: Iterable[str] | None = None
) -> Callable[[AdminAction], AdminAction]:
    """Wrap an admin action so it runs in a transaction together with its `admin:action` event."""

    def decorate(func: AdminAction) -> AdminAction:
        @functools.wraps(func)
        def wrapper(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: models.QuerySet) -> Any:
            with transaction.atomic():
                # Integer keys stay numbers; others (a claim's UUID) are written as text: the event is JSON.
                ids = [pk if isinstance(pk, int) else str(pk) for pk in queryset.values_list("pk", flat=True)[:1000]]
                record_event(
                    "admin:action",
                    actor=f"user:{request.user.get_username()}",
                    subject=f"{modeladmin.model._meta.label}:{func.__name__}",
                    data={"ids": ids, "count": queryset.count()},
                    ip=client_ip_of(request),
                )
                return func(modeladmin, request, queryset)

        kwargs: dict[str, Any] = {"description": description}
        if permissions is not None:
            kwargs["permissions"] = list(permissions)
        return admin.action(**kwargs)(wrapper)

    return decorate


class _Echo:
    """A file-like object whose write returns the line, for streaming CSV."""

    def write(self, value: str) -> str:
        return value


def _csv_value(obj: models.Model, name: str) -> str:
    value = getattr(obj, name)
    if callable(value):
        value = value()
    return "" if value is None else str(value)


@audited_action("Export selected rows as CSV", permissions=["view"])
def export_as_csv(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: models.QuerySet) -> HttpResponse:
    """Stream the selected rows with every concrete field but the admin's `csv_exclude` (secrets such
    as password hashes); integers stay exact (no float formatting)."""
    excluded = set(getattr(modeladmin, "csv_exclude", ()))
    names = [field.attname for field in modeladmin.model._meta.concrete_fields if field.attname not in excluded]
    writer = csv.writer(_Echo())

    def rows() -> Iterable[str]:
        yield writer.writerow(names)
        for obj in queryset.order_by("pk").iterator(chunk_size=2000):
            yield writer.writerow([_csv_value(obj, name) for name in names])

    response = StreamingHttpResponse(rows(), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{modeladmin.model._meta.model_name}.csv"'
    return response


class ExportableAdmin(admin.ModelAdmin):
    """Every admin page offers CSV export of what it lists."""

    actions = [export_as_csv]
    list_per_page = 100


class ReadOnlyAdmin(ExportableAdmin):
    """Viewable by whoever may view, changeable by nobody: money records, events, snapshots, rounds."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
