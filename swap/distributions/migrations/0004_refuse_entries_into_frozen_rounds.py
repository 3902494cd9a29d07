"""Database triggers: no entry may be added to a round once it left draft, even by raw SQL.

Freezing inserts the entries while the round is still a draft and flips its status in the same
transaction, so this refuses nothing legitimate; it closes the one write 0002 left open.
"""

from django.db import migrations

POSTGRES = [
    """CREATE OR REPLACE FUNCTION distributions_refuse_late_entry() RETURNS trigger AS $$
    BEGIN
        IF (SELECT status FROM distributions_distributionround WHERE id = NEW.round_id) <> 'draft' THEN
            RAISE EXCEPTION 'round % is frozen: no entry can be added', NEW.round_id;
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER distributions_entry_only_into_drafts BEFORE INSERT ON distributions_distributionentry
    FOR EACH ROW EXECUTE FUNCTION distributions_refuse_late_entry()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS distributions_entry_only_into_drafts ON distributions_distributionentry",
    "DROP FUNCTION IF EXISTS distributions_refuse_late_entry()",
]
SQLITE = [
    """CREATE TRIGGER distributions_entry_only_into_drafts BEFORE INSERT ON distributions_distributionentry
    WHEN (SELECT status FROM distributions_distributionround WHERE id = NEW.round_id) <> 'draft'
    BEGIN SELECT RAISE(ABORT, 'round is frozen: no entry can be added'); END""",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS distributions_entry_only_into_drafts"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("distributions", "0003_plural_names")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}),
        )
    ]
