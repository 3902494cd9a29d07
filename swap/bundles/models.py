"""A frozen round's bundle: its files (written once, at freeze) and the digests announced for them.

The snapshot payloads are not copied: the manifest names each final snapshot, and the archive is
streamed from `ServiceNodeSnapshot.payload`, which never changes once a snapshot is final. Every
other file is stored here as written at freeze. `archive_sha256` is the sha256 of the whole
`bundle.tar.gz` as `swap.core.bundle_format.pack` makes it from these, so a served archive that
differs from the frozen one is noticed (`bundles.services.archive_bytes` checks it).
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.utils import timezone

from swap.distributions.models import DistributionRound
from swap.models import AppendOnlyError, AppendOnlyQuerySet


class _InsertOnly(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are frozen")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{type(self).__name__} rows are frozen")


class RoundBundle(_InsertOnly):
    """The digests of a frozen round's bundle."""

    round = models.OneToOneField(DistributionRound, on_delete=models.PROTECT, primary_key=True, related_name="bundle")
    manifest_sha256 = models.CharField(max_length=64, help_text="sha256 of manifest.json")
    archive_sha256 = models.CharField(max_length=64, help_text="sha256 of bundle.tar.gz (without chain.json)")
    archive_bytes = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"bundle of round {self.round_id} manifest {self.manifest_sha256[:12]}…"


class RoundBundleFile(_InsertOnly):
    """One file of a bundle (every file but the snapshot payloads), byte for byte."""

    bundle = models.ForeignKey(RoundBundle, on_delete=models.PROTECT, related_name="files")
    path = models.CharField(max_length=200)
    data = models.BinaryField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["path"]
        constraints = [models.UniqueConstraint(fields=["bundle", "path"], name="bundle_file_unique_path")]

    def __str__(self) -> str:
        return f"{self.path} of round {self.bundle_id}"
