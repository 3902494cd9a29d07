"""Rows that are written once: money records and the facts they are computed from.

`swap.models.AppendOnlyQuerySet` refuses bulk update and delete; `ImmutableModel` adds the per-row
refusals. A model that needs exactly one sanctioned change (a snapshot being superseded) makes it
with a compare-and-swap `QuerySet.update` on the base class, in a service, never through `save`.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models

from swap.models import AppendOnlyError


class ImmutableModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are never changed once written")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{type(self).__name__} rows are never deleted")
