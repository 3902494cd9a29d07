"""Serializing snapshot writes in the database, whatever the task-level lock does.

Ingestion reads the open intervals, then writes the difference: two ingestions interleaving would
compute their changes against the same state and count a stake twice. On PostgreSQL a
transaction-scoped advisory lock makes them take turns. SQLite allows one writer at a time: an
IMMEDIATE transaction waits for the other to commit before it reads, and a deferred one that read
first fails with "database is locked" when it tries to write; either way nothing is written from
stale reads. The Celery cache lock only avoids useless work; correctness rests here and on the
unique constraints.
"""

from django.db import connection, transaction

# Any constant shared by every process; "SNB" + 1 in ASCII.
SNAPSHOT_WRITE_LOCK_KEY = 0x534E4201


def lock_snapshot_writes() -> None:
    """Take the snapshot-write lock until the current transaction ends (call inside `atomic`)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_snapshot_writes must run inside a transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SNAPSHOT_WRITE_LOCK_KEY])
