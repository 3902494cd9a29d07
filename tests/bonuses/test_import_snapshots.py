"""`manage.py import_snapshots`: checked first, stored in height order, idempotent, all or nothing per run."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from snb_scenarios import OXEN, node, result

from bonuses.models import ServiceNodeSnapshot, StakeInterval
from swap.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("snb")]


def write(directory: Path, name: str, document: object) -> Path:
    path = directory / name
    path.write_text(json.dumps(document))
    return path


def run_import(*paths: Path | str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_snapshots", *map(str, paths), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def recorded(tmp_path: Path) -> Path:
    """Three recorded results, named so that name order is not height order."""
    write(tmp_path, "a.json", result(1020, node("n1", ("La", 15_000))))
    write(tmp_path, "b.json", result(1000, node("n1", ("La", 10_000)), node("n2", ("Lb", 15_000))))
    envelope = {"jsonrpc": "2.0", "id": "x", "result": {**result(1010, node("n1", ("La", 10_000))),
                                                          "block_timestamp": 1_700_000_000}}
    write(tmp_path, "c.json", envelope)
    return tmp_path


def test_files_are_imported_in_height_order_with_a_progress_bar(recorded):
    out, err = run_import(recorded)
    assert out.strip() == "imported 3 snapshots, 0 already stored, latest height 1020"
    assert "importing [##############################] 3/3" in err
    assert list(ServiceNodeSnapshot.objects.order_by("height").values_list("height", "source", "provisional")) == [
        (1000, "import", True), (1010, "import", True), (1020, "import", True)]
    assert ServiceNodeSnapshot.objects.get(height=1010).block_timestamp == 1_700_000_000
    assert sorted(StakeInterval.objects.values_list("oxen_address", "amount_atomic", "from_height", "to_height")) == [
        ("La", 10_000 * OXEN, 1000, 1020), ("La", 15_000 * OXEN, 1020, None), ("Lb", 15_000 * OXEN, 1000, 1010)]


def test_importing_again_changes_nothing(recorded):
    run_import(recorded)
    events = AuditEvent.objects.count()
    out, _ = run_import(recorded / "a.json", recorded / "b.json", recorded / "c.json")
    assert out.strip() == "imported 0 snapshots, 3 already stored"
    assert AuditEvent.objects.count() == events and ServiceNodeSnapshot.objects.count() == 3


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "not readable JSON"),
        (json.dumps({"jsonrpc": "2.0", "id": 1, "error": {"code": -32003, "message": "busy"}}), "JSON-RPC error"),
        (json.dumps({**result(1005), "block_hash": "XY" * 32}), "block_hash is not 64 lowercase hex"),
        (json.dumps({**result(1005), "block_timestamp": "yesterday"}), "block_timestamp"),
    ],
)
def test_a_bad_file_stops_the_import_before_anything_is_written(recorded, content, reason):
    bad = recorded / "z-bad.json"
    bad.write_text(content)
    with pytest.raises(CommandError) as raised:
        run_import(recorded)
    message = str(raised.value)
    assert message.startswith(str(bad)) and reason in message and "\n" not in message
    assert not ServiceNodeSnapshot.objects.exists() and not AuditEvent.objects.exists()


def test_conflicting_and_out_of_order_files_are_refused(recorded, tmp_path):
    run_import(recorded / "a.json")  # height 1020 stored first
    with pytest.raises(CommandError, match="below the latest stored snapshot 1020"):
        run_import(recorded / "b.json")
    other = write(tmp_path, "other.json", result(1020, node("n1", ("La", 1)), fork="other"))
    with pytest.raises(CommandError, match="already stored with block"):
        run_import(other)
    twin = write(tmp_path, "twin.json", result(1030, fork="x"))
    write(tmp_path, "twin2.json", result(1030, fork="y"))
    with pytest.raises(CommandError, match="has another block hash in"):
        run_import(twin, tmp_path / "twin2.json")
    with pytest.raises(CommandError, match="no such file"):
        run_import(tmp_path / "missing.json")
    assert ServiceNodeSnapshot.objects.count() == 1
