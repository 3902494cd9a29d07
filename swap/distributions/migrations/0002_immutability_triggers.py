"""Database triggers: frozen entries, dumps and round figures cannot change, whatever code runs.

The models refuse such writes already (save, delete, querysets); these triggers also stop raw SQL
and any code path that bypasses the ORM. On PostgreSQL they refuse UPDATE and DELETE (TRUNCATE,
used by test teardown, does not fire row triggers). On SQLite they refuse UPDATE only, because
Django's test flush deletes rows one table at a time there.
"""

from django.db import migrations

FROZEN_COLUMNS = (
    "number", "cutoff_at", "root", "count", "total_atomic", "bonus_total_atomic", "claims_total_atomic", "dump_sha256",
)

POSTGRES = [
    """CREATE OR REPLACE FUNCTION distributions_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'frozen distribution rows are immutable (% on %)', TG_OP, TG_TABLE_NAME;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER distributions_entry_immutable BEFORE UPDATE OR DELETE ON distributions_distributionentry
    FOR EACH ROW EXECUTE FUNCTION distributions_refuse_change()""",
    """CREATE TRIGGER distributions_dump_immutable BEFORE UPDATE OR DELETE ON distributions_rounddump
    FOR EACH ROW EXECUTE FUNCTION distributions_refuse_change()""",
    """CREATE OR REPLACE FUNCTION distributions_guard_round() RETURNS trigger AS $$
    BEGIN
        IF OLD.status <> 'draft' THEN
            IF TG_OP = 'DELETE' THEN
                RAISE EXCEPTION 'frozen round % cannot be deleted', OLD.number;
            END IF;
            IF NEW.status = 'draft' OR """
    + " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in FROZEN_COLUMNS)
    + """ THEN
                RAISE EXCEPTION 'round % is frozen: its figures cannot change', OLD.number;
            END IF;
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER distributions_round_guard BEFORE UPDATE OR DELETE ON distributions_distributionround
    FOR EACH ROW EXECUTE FUNCTION distributions_guard_round()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS distributions_round_guard ON distributions_distributionround",
    "DROP TRIGGER IF EXISTS distributions_dump_immutable ON distributions_rounddump",
    "DROP TRIGGER IF EXISTS distributions_entry_immutable ON distributions_distributionentry",
    "DROP FUNCTION IF EXISTS distributions_guard_round()",
    "DROP FUNCTION IF EXISTS distributions_refuse_change()",
]

SQLITE = [
    """CREATE TRIGGER distributions_entry_immutable BEFORE UPDATE ON distributions_distributionentry
    BEGIN SELECT RAISE(ABORT, 'frozen distribution rows are immutable'); END""",
    """CREATE TRIGGER distributions_dump_immutable BEFORE UPDATE ON distributions_rounddump
    BEGIN SELECT RAISE(ABORT, 'frozen distribution rows are immutable'); END""",
    """CREATE TRIGGER distributions_round_guard BEFORE UPDATE ON distributions_distributionround
    WHEN OLD.status <> 'draft' AND (NEW.status = 'draft' OR """
    + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FROZEN_COLUMNS)
    + """)
    BEGIN SELECT RAISE(ABORT, 'round is frozen: its figures cannot change'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS distributions_round_guard",
    "DROP TRIGGER IF EXISTS distributions_dump_immutable",
    "DROP TRIGGER IF EXISTS distributions_entry_immutable",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("distributions", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
