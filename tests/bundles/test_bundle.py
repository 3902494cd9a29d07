"""A frozen round's bundle: stored at freeze, reproducible to the byte, the published files unchanged, verified."""

from __future__ import annotations

import io
import json
import re
import tarfile

import pytest
from sesh_verify import verify_bundle
from sesh_verify.bundle import Bundle, load
from sesh_verify.cli import main

from swap.core import bundle_format as fmt
from tests.bundles.conftest import FrozenRound

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def bundle_of(archive: bytes) -> Bundle:
    _, files = fmt.unpack(archive)
    return Bundle(files, json.loads(files[fmt.MANIFEST]), None, "test")


def test_it_is_built_twice_from_the_database_to_the_same_bytes(frozen_round: FrozenRound) -> None:
    assert frozen_round.rebuilt == frozen_round.archive == frozen_round.served
    assert frozen_round.archive[:3] == b"\x1f\x8b\x08" and frozen_round.archive[4:8] == b"\0\0\0\0"  # gzip mtime 0


def test_the_archive_is_one_round_directory_of_plain_files_with_fixed_metadata(frozen_round: FrozenRound) -> None:
    with tarfile.open(fileobj=io.BytesIO(frozen_round.archive), mode="r:gz") as tar:
        members = tar.getmembers()
    names = [member.name for member in members]
    assert names == sorted(names)
    assert all(name.startswith(f"round-{frozen_round.figures['round']}/") for name in names)
    assert {(m.mtime, m.uid, m.gid, m.uname, m.gname, m.mode, m.isreg()) for m in members} == {
        (0, 0, 0, "", "", 0o644, True)}
    paths = {name.split("/", 1)[1] for name in names}
    assert {fmt.MANIFEST, fmt.DUMP, fmt.ENTRIES, fmt.BONUS_INPUTS, fmt.BONUS_SNAPSHOTS, fmt.REGISTRATIONS,
            fmt.CLAIMS, fmt.STAKE_CHANGES} <= paths
    assert len([p for p in paths if p.startswith(fmt.SNAPSHOT_DIR)]) == 7


def test_the_published_files_are_the_bytes_the_api_serves(frozen_round: FrozenRound) -> None:
    files = frozen_round.bundle_files
    for name, path in (("dump.json", fmt.DUMP), ("entries.csv", fmt.ENTRIES), ("bonus-inputs.csv", fmt.BONUS_INPUTS),
                       ("bonus-snapshots.csv", fmt.BONUS_SNAPSHOTS)):
        assert files[path] == frozen_round.api[name], name
    assert fmt.sha256_hex(files[fmt.MANIFEST]) == frozen_round.manifest_sha256


def test_each_file_is_served_alone_and_chain_json_waits_for_the_chain(frozen_round: FrozenRound) -> None:
    _, files = fmt.unpack(frozen_round.archive)
    manifest = json.loads(files[fmt.MANIFEST])
    snapshot = next(r["file"] for r in manifest["snapshots"] if r["base"] is not None)  # stored as a delta
    for path in (fmt.MANIFEST, fmt.REGISTRATIONS, snapshot):
        assert frozen_round.api[f"bundle/{path}"] == files[path], path
    assert frozen_round.api["bundle/nope.csv"] == 404
    assert frozen_round.api["chain.json"] == 404  # frozen, not published: no transaction yet
    assert frozen_round.api["bundle of round 2"] == 404


def test_the_published_files_keep_their_byte_format(frozen_round: FrozenRound) -> None:
    """Their sha256s are public: this pins the format (issue 22 moves the CSV writers; the bytes must stay)."""
    files = frozen_round.bundle_files
    eth, digit = r"0x[0-9a-fA-F]{40}", r"(0|[1-9][0-9]*)"
    assert re.fullmatch(rf"eth_address,cumulative_sesh_atomic,bonus_atomic,claims_atomic\n({eth},{digit},{digit},"
                        rf"{digit}\n)+", files[fmt.ENTRIES].decode())
    assert re.fullmatch(rf"oxen_address,eth_address,stake_blocks\n(L[1-9A-HJ-NP-Za-km-z]{{94}},{eth},{digit}\n)+",
                        files[fmt.BONUS_INPUTS].decode())
    assert re.fullmatch(r"height,block_hash,sha256,final\n([0-9]+,[0-9a-f]{64},[0-9a-f]{64},(true|false)\n)+",
                        files[fmt.BONUS_SNAPSHOTS].decode())
    assert files[fmt.DUMP].startswith(b'{"format":"standard-v1","leafEncoding":["address","uint256"],"tree":["0x')
    for line in files[fmt.REGISTRATIONS].splitlines() + files[fmt.CLAIMS].splitlines():
        assert fmt.json_bytes(json.loads(line)) == line + b"\n"


def test_the_manifest_names_the_round_its_parameters_and_every_file(frozen_round: FrozenRound) -> None:
    manifest = json.loads(frozen_round.bundle_files[fmt.MANIFEST])
    assert (manifest["round"], manifest["root"], manifest["count"]) == (
        frozen_round.figures["round"], frozen_round.figures["root"], frozen_round.figures["count"])
    assert manifest["bonus_total_atomic"] == str(30_000_000 * 10**9) == str(frozen_round.figures["bonus_total"])
    assert manifest["parameters"]["bonus"] | {"backdate_cutoff": None} == {
        "pool_atomic": str(30_000_000 * 10**9), "start_height": 1000, "final_height": 1100, "gap_blocks": 30,
        "backdate_cutoff": None, "holds_bonus": True, "pinned_round": 1, "at_height": 1110,
        "registrations_at": manifest["cutoff"]}
    assert manifest["parameters"]["claims"]["supply_snapshot"]["rate_num"] == "300000000"
    assert manifest["chain"] == {"chain_id": 31337, "distributor": "", "transactions": "chain.json"}
    assert set(manifest["files"]) == set(frozen_round.bundle_files) - {fmt.MANIFEST} | {
        record["file"] for record in manifest["snapshots"]}


def test_the_verifier_recomputes_every_amount_offline(frozen_round: FrozenRound) -> None:
    report = verify_bundle(bundle_of(frozen_round.archive))
    lines = {check: [line for name, line in report if name == check] for check, _ in report}
    assert lines["registrations"] == ["9 registrations of 7 Oxen addresses: signatures, networks, replay rule"]
    assert lines["bonus"][0].startswith("7 snapshots' stake changes expanded; 7 snapshots (every snapshot) expanded "
                                        "and matched to their sha256 and to those stakes; ")
    assert lines["bonus"][1].startswith("stake-blocks over [1000, 1100) for 5 of 7 registered addresses")
    assert lines["claims"][1].startswith(f"2 credits recomputed (floor(amount × rate × multiplier), budget guard): "
                                         f"{frozen_round.figures['claims_total']} of ")
    assert "not credited: 1 held (unlock_time)" in lines["claims"][1]
    assert lines["tree"][0].startswith(f"root {frozen_round.figures['root']} rebuilt from 6 accounts")


def test_the_command_prints_a_one_page_report_and_exits_0(frozen_round: FrozenRound, tmp_path, capsys) -> None:
    path = tmp_path / "round-1.bundle.tar.gz"
    path.write_bytes(frozen_round.archive)
    assert main([str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("sesh-verify: round 1 (cut-off ")
    assert out.splitlines()[-1].startswith("ok: every published amount recomputed from the bundle")
    assert len(out.splitlines()) < 30
    with tarfile.open(fileobj=io.BytesIO(frozen_round.archive), mode="r:gz") as tar:
        tar.extractall(tmp_path / "extracted", filter="data")
    assert main([str(tmp_path / "extracted")]) == 0
    assert load(tmp_path / "extracted").manifest["round"] == 1


def test_a_sample_checks_the_first_the_last_and_the_snapshots_at_the_drawn_blocks(frozen_round: FrozenRound,
                                                                                  tmp_path, capsys) -> None:
    path = tmp_path / "round-1.bundle.tar.gz"
    path.write_bytes(frozen_round.archive)
    assert main([str(path), "--sample", "2", "--seed", "7"]) == 0
    out = capsys.readouterr().out
    assert "(the first, the last and those in force at 2 blocks drawn with --seed 7; --all checks every one)" in out
    assert main([str(path), "--sample", "0", "--all"]) == 0
    assert "7 snapshots (every snapshot) expanded" in capsys.readouterr().out
