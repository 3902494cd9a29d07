"""The audit trail is append-only in the database itself, not only in the model."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from swap.audit import record_event

pytestmark = pytest.mark.django_db


def event_id() -> int:
    with transaction.atomic():
        return record_event("registration:created", actor="web", subject="L123").pk


def test_raw_sql_cannot_rewrite_an_audit_event() -> None:
    pk = event_id()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE swap_auditevent SET tag = 'rewritten' WHERE id = %s", [pk])
    with connection.cursor() as cursor:
        cursor.execute("SELECT tag FROM swap_auditevent WHERE id = %s", [pk])
        assert cursor.fetchone() == ("registration:created",)


@pytest.mark.postgres
def test_raw_sql_cannot_delete_an_audit_event_on_postgresql() -> None:
    pk = event_id()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM swap_auditevent WHERE id = %s", [pk])
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM swap_auditevent WHERE id = %s", [pk])
        assert cursor.fetchone() == (1,)
