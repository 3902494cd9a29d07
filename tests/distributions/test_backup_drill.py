"""The backup runbook, drilled (docs/operations.md "Backups"): a database with a published round and a
claim is dumped with pg_dump, restored with pg_restore into a new database, and reconciliation and
`verify_round` give the same figures on both; the restored audit trail and frozen rounds are still
append-only (their triggers came back with the data)."""

import dataclasses
import io
import os
import subprocess
import uuid

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from swap.distributions.models import RoundDump
from swap.distributions.services.claim_index import sync_claims
from swap.models import AuditEvent
from swap.overview.reconciliation import reconcile
from tests.distributions.conftest import SESH
from tests.distributions.test_distribution_flow import ALICE, BOB, frozen_round, publish_and_activate, send_from_helper

pytestmark = [pytest.mark.postgres, pytest.mark.chain, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def libpq_environ() -> dict[str, str]:
    """pg_dump and pg_restore reach the server the way Django does."""
    db = connection.settings_dict
    environ = {**os.environ, "PGHOST": db.get("HOST") or "127.0.0.1", "PGPORT": str(db.get("PORT") or 5432),
               "PGUSER": db.get("USER") or "postgres"}
    if db.get("PASSWORD"):
        environ["PGPASSWORD"] = db["PASSWORD"]
    return environ


def figures(dump_path, l2, distributor):
    """What an operator compares after a restore: the whole reconciliation, and verify_round's verdict."""
    out = io.StringIO()
    call_command("verify_round", str(dump_path), "--rpc", l2.node.url, "--distributor", distributor, stdout=out)
    report = reconcile()
    # The round's amounts come from the tests' stand-in sources, so "frozen <= allocated" reads as a
    # mismatch here: the drill compares every figure and verdict, whatever they are, on both databases.
    return {"reconciliation": dataclasses.asdict(report), "ok": report.ok, "verify_round": out.getvalue(),
            "audit_events": AuditEvent.objects.count()}


def test_a_restored_dump_reconciles_and_verifies_like_the_original(deployed, entitlements, l2, client, tmp_path):
    entitlements.set(bonus={ALICE: 100 * SESH, BOB: 50 * SESH}, claims={ALICE: 7})
    round_ = publish_and_activate(l2, frozen_round())
    served = client.get(f"/api/v1/proofs/{ALICE}/").json()
    assert send_from_helper(l2, served["distributor"], served["claim_calldata"])["status"] == "0x1"
    l2.mine(3)
    sync_claims()
    dump_path = tmp_path / "round-1.dump.json"
    dump_path.write_text(RoundDump.objects.get(round=round_).text)
    before = figures(dump_path, l2, deployed.distributor)
    assert before["reconciliation"]["on_chain"]["claimed_total"] == 100 * SESH + 7
    assert before["verify_round"].startswith("ok: root") and before["audit_events"] > 10

    original = connection.settings_dict["NAME"]
    restored = f"{original}_restore_{uuid.uuid4().hex[:8]}"
    backup = tmp_path / "swap.dump"
    environ = libpq_environ()
    # The runbook's commands, as written in docs/operations.md.
    subprocess.run(["pg_dump", "--format=custom", "--file", str(backup), original], env=environ, check=True,
                   timeout=300)
    subprocess.run(["createdb", restored], env=environ, check=True, timeout=60)
    try:
        subprocess.run(["pg_restore", "--exit-on-error", "--no-owner", "--dbname", restored, str(backup)],
                       env=environ, check=True, timeout=300)
        connection.close()
        connection.settings_dict["NAME"] = restored
        try:
            after = figures(dump_path, l2, deployed.distributor)
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("UPDATE swap_auditevent SET tag = tag WHERE id = %s", [AuditEvent.objects.first().pk])
        finally:
            connection.close()
            connection.settings_dict["NAME"] = original
    finally:
        subprocess.run(["dropdb", "--force", restored], env=environ, check=True, timeout=60)
    assert after == before
