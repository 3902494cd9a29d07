"""Database triggers that keep `Tally` rows equal to GROUP BY counts of the big tables.

PostgreSQL: statement-level triggers with transition tables, so a bulk INSERT of 10,000 rows
updates each tally row once; an UPDATE adds the new rows' figures and subtracts the old ones',
grouped, and writes nothing when the labels and amounts did not change (a deposit's
confirmations). SQLite: row-level triggers (it has no statement-level ones), the UPDATE trigger
only when a label or the amount changed.

The cost: a tally row is locked from the statement that changed its count until the transaction
commits, so writers of the same label (two registrations) commit one after the other; the
service's transactions are short. A statement that moves rows between labels (queued → signed)
locks its tally rows in label order, so two such statements cannot deadlock each other.

`install` is idempotent: it creates whatever trigger is missing and, for a source whose triggers
were missing, recounts that source from its table in the same transaction (under a lock on
PostgreSQL), so a fresh database, an existing one and a table that a migration rebuilt all end
with exact tallies. Test flushes truncate the tally table together with the counted ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

TALLY_TABLE = "tallies_tally"


@dataclass(frozen=True)
class Source:
    """A tallied table: rows counted per label columns (up to two), with the sum of one amount."""

    name: str
    table: str
    keys: tuple[str, ...] = ()
    amount: str | None = None

    def key_sql(self, alias: str) -> tuple[str, str]:
        """SQL for key1 and key2 (text, '' when absent) read from `alias`."""
        parts = [f"CAST({alias}.{column} AS TEXT)" for column in self.keys]
        parts += ["''"] * (2 - len(parts))
        return parts[0], parts[1]

    def amount_sql(self, alias: str) -> str:
        return f"{alias}.{self.amount}" if self.amount else "0"


SOURCES = (
    Source("outbox", "chain_l2transaction", keys=("purpose", "status")),
    Source("attempts", "chain_l2transactionattempt", keys=("kind",)),
    Source("deposits", "claims_deposit", keys=("state",), amount="amount_atomic"),
    Source("registrations", "registrations_registration"),
    Source("claims_paid", "distributions_claimevent", amount="amount_atomic"),
)

_UPSERT_TAIL = (
    f"ON CONFLICT (source, key1, key2) DO UPDATE SET row_count = {TALLY_TABLE}.row_count + excluded.row_count, "
    f"amount_sum = {TALLY_TABLE}.amount_sum + excluded.amount_sum"
)


def _trigger_names(source: Source) -> list[str]:
    return [f"tally_{source.name}_{op}" for op in ("ins", "del", "upd")]


# --- PostgreSQL -------------------------------------------------------------------------------


def _pg_delta_select(source: Source, parts: list[tuple[str, int]]) -> str:
    """SELECT of the grouped changes from transition tables (name, sign)."""
    unions = []
    for table, sign in parts:
        key1, key2 = source.key_sql("r")
        unions.append(f"SELECT {key1} AS key1, {key2} AS key2, {sign} AS d, {sign} * {source.amount_sql('r')} AS a "  # noqa: S608 - names are this module's constants
                      f"FROM {table} r")
    return (f"SELECT '{source.name}', x.key1, x.key2, SUM(x.d), SUM(x.a) FROM ({' UNION ALL '.join(unions)}) x "  # noqa: S608 - names are this module's constants
            "GROUP BY x.key1, x.key2 HAVING SUM(x.d) <> 0 OR SUM(x.a) <> 0 ORDER BY x.key1, x.key2")


_PG_OPERATIONS = (
    ("ins", "INSERT", "NEW TABLE AS new_rows", [("new_rows", 1)]),
    ("del", "DELETE", "OLD TABLE AS old_rows", [("old_rows", -1)]),
    ("upd", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", [("new_rows", 1), ("old_rows", -1)]),
)


def _pg_functions(source: Source) -> list[str]:
    """The trigger functions (replaced at every install, so their bodies follow this module)."""
    return [
        f"CREATE OR REPLACE FUNCTION tally_{source.name}_{op}_fn() RETURNS trigger AS $$ BEGIN "
        f"INSERT INTO {TALLY_TABLE} (source, key1, key2, row_count, amount_sum) "
        f"{_pg_delta_select(source, parts)} {_UPSERT_TAIL}; RETURN NULL; END $$ LANGUAGE plpgsql"
        for op, _, _, parts in _PG_OPERATIONS
    ]


def _pg_triggers(source: Source) -> list[str]:
    return [
        f"CREATE TRIGGER tally_{source.name}_{op} AFTER {event} ON {source.table} REFERENCING {referencing} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION tally_{source.name}_{op}_fn()"
        for op, event, referencing, _ in _PG_OPERATIONS
    ]


# --- SQLite -----------------------------------------------------------------------------------


def _sqlite_upsert(source: Source, alias: str, sign: int) -> str:
    key1, key2 = source.key_sql(alias)
    return (f"INSERT INTO {TALLY_TABLE} (source, key1, key2, row_count, amount_sum) "  # noqa: S608 - names are this module's constants
            f"VALUES ('{source.name}', {key1}, {key2}, {sign}, {sign} * {source.amount_sql(alias)}) {_UPSERT_TAIL};")


def _sqlite_statements(source: Source) -> list[str]:
    changed = [*source.keys, *([source.amount] if source.amount else [])]
    statements = [
        f"CREATE TRIGGER tally_{source.name}_ins AFTER INSERT ON {source.table} "
        f"BEGIN {_sqlite_upsert(source, 'NEW', 1)} END",
        f"CREATE TRIGGER tally_{source.name}_del AFTER DELETE ON {source.table} "
        f"BEGIN {_sqlite_upsert(source, 'OLD', -1)} END",
    ]
    if changed:
        condition = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in changed)
        statements.append(
            f"CREATE TRIGGER tally_{source.name}_upd AFTER UPDATE ON {source.table} WHEN {condition} "
            f"BEGIN {_sqlite_upsert(source, 'OLD', -1)} {_sqlite_upsert(source, 'NEW', 1)} END"
        )
    return statements


# --- installing -------------------------------------------------------------------------------


def _existing_triggers(conn: BaseDatabaseWrapper) -> set[str]:
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {row[0] for row in cursor.fetchall()}


def _expected_triggers(source: Source, vendor: str) -> list[str]:
    names = _trigger_names(source)
    if vendor == "sqlite" and not (source.keys or source.amount):
        return names[:2]
    return names


def _recount(cursor: Any, source: Source) -> None:
    key1, key2 = source.key_sql("r")
    cursor.execute(f"DELETE FROM {TALLY_TABLE} WHERE source = %s", [source.name])  # noqa: S608 - names are this module's constants
    cursor.execute(
        f"INSERT INTO {TALLY_TABLE} (source, key1, key2, row_count, amount_sum) "  # noqa: S608 - names are this module's constants
        f"SELECT %s, {key1}, {key2}, COUNT(*), COALESCE(SUM({source.amount_sql('r')}), 0) FROM {source.table} r "
        "GROUP BY 2, 3",
        [source.name],
    )


def install(conn: BaseDatabaseWrapper | None = None, *, recount_all: bool = False) -> list[str]:
    """Create missing triggers and recount their sources (every source with `recount_all`).

    Returns the names of the sources recounted.
    """
    conn = conn or connection
    if conn.vendor not in ("postgresql", "sqlite"):
        return []
    tables = set(conn.introspection.table_names())
    if TALLY_TABLE not in tables:
        return []
    recounted = []
    existing = _existing_triggers(conn)
    for source in SOURCES:
        if source.table not in tables:
            continue
        if conn.vendor == "postgresql":
            with conn.cursor() as cursor:
                for statement in _pg_functions(source):
                    cursor.execute(statement)
        expected = _expected_triggers(source, conn.vendor)
        if all(name in existing for name in expected) and not recount_all:
            continue
        with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
            if conn.vendor == "postgresql":
                cursor.execute(f"LOCK TABLE {source.table} IN SHARE ROW EXCLUSIVE MODE")
                for name in expected:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {source.table}")
                statements = _pg_triggers(source)
            else:
                for name in expected:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                statements = _sqlite_statements(source)
            for statement in statements:
                cursor.execute(statement)
            _recount(cursor, source)
        recounted.append(source.name)
    return recounted


def install_after_migrate(*, using: str = "default", **kwargs: Any) -> None:
    """post_migrate receiver: install on the database just migrated, or recount all after a flush.

    `flush` (tests between transactional cases) sends post_migrate without a migration plan. On
    SQLite it deletes row by row, firing the triggers in whatever order it empties the tables,
    so the tallies are recounted from the (now empty or fixture-filled) tables.
    """
    install(connections[using], recount_all="plan" not in kwargs)
