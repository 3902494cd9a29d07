"""One running count per (source, key1, key2): rows and the sum of an amount."""

from django.db import models


class Tally(models.Model):
    """Written only by database triggers (`triggers.py`) and `counters.count_event`; read by /metrics."""

    source = models.CharField(max_length=40, help_text="a tallied table (outbox, deposits…) or an event counter")
    key1 = models.CharField(max_length=100, blank=True, default="")
    key2 = models.CharField(max_length=100, blank=True, default="")
    row_count = models.BigIntegerField(default=0)
    amount_sum = models.BigIntegerField(default=0, help_text="sum of the source's amount column (atomic units)")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "key1", "key2"], name="tally_unique_key")]

    def __str__(self) -> str:
        return f"{self.source}[{self.key1},{self.key2}] {self.row_count} rows, {self.amount_sum}"
