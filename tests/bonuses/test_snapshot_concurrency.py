"""Two ingestions at once take turns on PostgreSQL (advisory lock), whatever the task lock does."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction
from snb_scenarios import OXEN, node, result

from bonuses.models import StakeInterval
from bonuses.services.ingest import ingest_snapshot
from bonuses.services.locks import lock_snapshot_writes

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("snb")]


def test_an_ingestion_waits_for_another_holding_the_snapshot_lock():
    ingest_snapshot(result(1000, node("n1", ("La", 15_000))), source="import")
    holding, release = threading.Event(), threading.Event()
    finished: dict[str, float] = {}

    def hold_the_lock() -> None:
        try:
            with transaction.atomic():
                lock_snapshot_writes()
                holding.set()
                release.wait(10)
                finished["holder"] = time.monotonic()
        finally:
            connection.close()

    def ingest_next() -> None:
        try:
            ingest_snapshot(result(1010, node("n1", ("La", 14_000))), source="import")
            finished["ingest"] = time.monotonic()
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    assert holding.wait(10)
    writer = threading.Thread(target=ingest_next)
    writer.start()
    time.sleep(0.5)
    assert "ingest" not in finished  # blocked behind the lock
    release.set()
    holder.join(10)
    writer.join(10)
    assert finished["ingest"] >= finished["holder"]
    assert sorted(StakeInterval.objects.values_list("amount_atomic", "from_height", "to_height")) == [
        (14_000 * OXEN, 1010, None), (15_000 * OXEN, 1000, 1010)]
