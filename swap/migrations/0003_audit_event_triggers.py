"""Database triggers: audit events cannot be rewritten, whatever code runs.

`AuditEvent` already refuses updates and deletes in `save`/`delete` and in its queryset; these
triggers also stop raw SQL and any path that bypasses the ORM (as distributions migration 0002
does for frozen rounds). PostgreSQL refuses UPDATE and DELETE (TRUNCATE, used by test teardown,
fires no row trigger); SQLite refuses UPDATE only, because Django's test flush deletes row by row.
"""

from django.db import migrations

POSTGRES = [
    """CREATE OR REPLACE FUNCTION swap_auditevent_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER swap_auditevent_append_only BEFORE UPDATE OR DELETE ON swap_auditevent
    FOR EACH ROW EXECUTE FUNCTION swap_auditevent_refuse_change()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS swap_auditevent_append_only ON swap_auditevent",
    "DROP FUNCTION IF EXISTS swap_auditevent_refuse_change()",
]
SQLITE = [
    """CREATE TRIGGER swap_auditevent_append_only BEFORE UPDATE ON swap_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS swap_auditevent_append_only"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("swap", "0002_role_groups")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
