"""Models of the shared core. Registrations, rounds and the L2 outbox join this module as they land."""

from typing import Any, NoReturn

from django.db import models
from django.utils import timezone


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a row that may only ever be inserted."""


class AppendOnlyQuerySet(models.QuerySet):
    """A queryset whose bulk update and delete refuse, so history cannot be rewritten in bulk."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only")

    def delete(self) -> NoReturn:
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only")


class AuditEvent(models.Model):
    """One state change, written in the same transaction as the change itself.

    `tag` reads `source:subject:action` (for example `registration:created`, `round:frozen`,
    `l2tx:broadcast`, `admin:action`). `ip_hash` is a keyed hash, never the address itself.
    """

    tag = models.CharField(max_length=100, db_index=True)
    actor = models.CharField(max_length=150, help_text="user:<name>, task:<name>, web or system")
    subject = models.CharField(max_length=200, blank=True, db_index=True)
    ip_hash = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tag", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.tag} {self.subject}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events are append-only")
