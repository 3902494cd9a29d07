"""Event counters shared by every process: one atomic UPSERT per event, read at scrape time.

Why the database and not the process (prometheus-client's counters): gunicorn runs several
workers and Celery several processes; a scrape reaches one of them, and a restart would reset
it. Why not Redis: a registration refusal is counted in the transaction that audits it, so the
count and the audit trail cannot disagree; a failed task is rare and its one-row write costs
less than the work around it. (Rate-limit hits, which come in floods, are counted in the cache
instead: `swap.ratelimit.count_hit`.)
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection, transaction

from swap.tallies.models import Tally
from swap.tallies.triggers import TALLY_TABLE

# The event counters (`Tally.source` values written here, never by a trigger).
REGISTRATION_REFUSALS = "registration_refusals"
TASK_FAILURES = "task_failures"

MAX_LABEL_CHARS = 100
log = logging.getLogger(__name__)


def count_event(source: str, label: str, *, by: int = 1) -> None:
    """Add `by` to the counter (source, label) in the current transaction (or on its own)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TALLY_TABLE} (source, key1, key2, row_count, amount_sum) VALUES (%s, %s, '', %s, 0) "  # noqa: S608 - names are this module's constants
            f"ON CONFLICT (source, key1, key2) DO UPDATE SET row_count = {TALLY_TABLE}.row_count + excluded.row_count",
            [source, label[:MAX_LABEL_CHARS], by],
        )


def count_event_safely(source: str, label: str) -> None:
    """Count an event on its own, logging instead of raising: for paths that are already failing."""
    try:
        with transaction.atomic():
            count_event(source, label)
    except DatabaseError:
        log.warning("could not count %s %s", source, label, exc_info=True)


def read_all() -> dict[str, dict[tuple[str, str], Tally]]:
    """Every tally row, by source then (key1, key2): one query for the whole scrape."""
    found: dict[str, dict[tuple[str, str], Tally]] = {}
    for row in Tally.objects.all():
        found.setdefault(row.source, {})[(row.key1, row.key2)] = row
    return found
