"""Updating many rows by primary key with one `executemany`.

Django's `bulk_update` compiles one `CASE WHEN pk = … THEN …` per field over every row: for a few
hundred node rows it spends far longer building SQL than the database spends running it (measured
by `bench/bonus.py`). One parameterized UPDATE per row, sent with `executemany`, does the same
writes; values go through each field's own `get_db_prep_save`, so JSON and integers are adapted
exactly as the ORM would.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models


def update_rows(rows: Sequence[models.Model], fields: Sequence[str]) -> None:
    """Write `fields` of each row (all of one model) to the database, matching by primary key."""
    if not rows:
        return
    meta = type(rows[0])._meta
    quote = connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608
    params = [
        [field.get_db_prep_save(getattr(row, field.attname), connection) for field in columns] + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
