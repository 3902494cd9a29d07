"""The two locks of the deposit watcher; correctness rests on the second and on constraints.

1. `poll_lock`: a PostgreSQL session advisory lock held for a whole poll (wallet calls included,
   no transaction open meanwhile), so two polls never interleave their observations: a poll that
   read the wallet earlier can never apply its older view after a newer one. A second poll finds
   it taken and skips. It is released when the poll ends or, if the worker dies, when its database
   connection closes. SQLite (the embedded default) has none; its single writer serializes the
   crediting transactions, which is what money depends on.
2. `locked_ledger`: the `ClaimsLedger` row, `SELECT … FOR UPDATE` inside the crediting
   transaction: crediting runs one at a time and reads the budget under the lock. Below both, the
   unique constraints (one deposit per group, one credit per deposit) and the ledger's check
   constraint (credited ≤ pool) make a double credit or an overspent pool impossible even if
   both locks were gone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

from claims.models import ClaimsLedger

# Any constant shared by every process: "CLM" + 1 in ASCII.
POLL_LOCK_KEY = 0x434C4D01


@contextmanager
def poll_lock() -> Iterator[bool]:
    """Yield True if this process may poll now (PostgreSQL: it holds the advisory lock)."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [POLL_LOCK_KEY])
        acquired = bool(cursor.fetchone()[0])
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [POLL_LOCK_KEY])


def locked_ledger() -> ClaimsLedger:
    """The ledger row, locked until the current transaction ends (created on first use)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("locked_ledger must run inside a transaction")
    ClaimsLedger.objects.get_or_create(pk=1)
    return ClaimsLedger.objects.select_for_update().get(pk=1)
