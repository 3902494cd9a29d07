"""Every kind of tampering with a real round's bundle is caught, and the broken record is named.

Two kinds of forger: one who changes a file and leaves the manifest (caught by the digests), and
one who also rewrites the manifest's digests to match (caught by recomputing the amounts).
"""

from __future__ import annotations

import json

import pytest
import zstandard
from sesh_verify import Broken, verify_bundle
from sesh_verify.bundle import Bundle

from swap.core import bundle_format as fmt
from swap.core import payload_codec
from swap.core.oxen_signature import sign_message
from tests.bonuses.snb_scenarios import ETH_2, Wallet
from tests.bundles.conftest import FrozenRound

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture
def files(frozen_round: FrozenRound) -> dict[str, bytes]:
    return fmt.unpack(frozen_round.archive)[1]


def verdict(files: dict[str, bytes], *, redigest: bool) -> Broken:
    """The first broken record the verifier names (the test fails if it finds none)."""
    manifest = json.loads(files[fmt.MANIFEST])
    if redigest:
        manifest["files"] = {path: fmt.sha256_hex(files[path]) for path in manifest["files"] if path in files}
        files = {**files, fmt.MANIFEST: fmt.json_bytes(manifest)}
    with pytest.raises(Broken) as caught:
        verify_bundle(Bundle(files, manifest, None, "tampered"))
    return caught.value


def lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def records(files: dict[str, bytes], path: str) -> list[dict]:
    return [json.loads(line) for line in files[path].splitlines()]


def write(records_: list[dict]) -> bytes:
    return fmt.jsonl_bytes(records_)


def test_the_untouched_bundle_passes(files: dict[str, bytes]) -> None:
    manifest = json.loads(files[fmt.MANIFEST])
    assert verify_bundle(Bundle(files, manifest, None, "as published"))


@pytest.mark.parametrize("path", [fmt.DUMP, fmt.ENTRIES, fmt.BONUS_INPUTS, fmt.BONUS_SNAPSHOTS, fmt.REGISTRATIONS,
                                  fmt.CLAIMS, fmt.STAKE_CHANGES, "keyframe", "delta"])
def test_one_flipped_byte_in_any_file_is_caught_by_its_digest(files: dict[str, bytes], path: str) -> None:
    snapshots = json.loads(files[fmt.MANIFEST])["snapshots"]
    if path in ("keyframe", "delta"):
        path = next(r["file"] for r in snapshots if (r["base"] is None) == (path == "keyframe"))
    data = bytearray(files[path])
    data[len(data) // 2] ^= 0x01
    broken = verdict({**files, path: bytes(data)}, redigest=False)
    assert (broken.check, broken.record) == ("files", path)
    assert "is not the manifest's" in broken.reason


def test_a_flipped_byte_in_a_snapshot_is_caught_even_with_the_digest_rewritten(files: dict[str, bytes]) -> None:
    record = json.loads(files[fmt.MANIFEST])["snapshots"][0]
    data = bytearray(files[record["file"]])
    data[len(data) // 2] ^= 0x01
    broken = verdict({**files, record["file"]: bytes(data)}, redigest=True)
    assert broken.check == "snapshots" and broken.record.startswith(f"snapshot {record['height']} (")


def test_a_keyframe_that_disagrees_with_its_hash_is_named(files: dict[str, bytes]) -> None:
    """A well-formed keyframe of other JSON (one stake changed), with its file digest rewritten."""
    record = next(r for r in json.loads(files[fmt.MANIFEST])["snapshots"] if r["base"] is None)
    canonical = zstandard.ZstdDecompressor().decompress(files[record["file"]])
    forged = canonical.replace(b'"amount":', b'"amount":1', 1)
    broken = verdict({**files, record["file"]: payload_codec.encode_keyframe(forged)}, redigest=True)
    assert (broken.check, broken.record) == ("snapshots", f"snapshot {record['height']} ({record['file']})")
    assert broken.reason == f"its JSON's sha256 is not the recorded {record['sha256']}"


def test_a_forged_stake_change_is_named_at_its_snapshot(files: dict[str, bytes]) -> None:
    log = records(files, fmt.STAKE_CHANGES)
    line = next(line for line in log if line["open"])
    line["open"][0][2] += 1
    broken = verdict({**files, fmt.STAKE_CHANGES: write(log)}, redigest=True)
    assert (broken.check, broken.record) == ("snapshots", f"snapshot {line['height']}")
    assert broken.reason.startswith(f"its earning stakes are not the expanded {fmt.STAKE_CHANGES}: ")


def test_a_dropped_stake_change_is_named(files: dict[str, bytes]) -> None:
    log = records(files, fmt.STAKE_CHANGES)
    at = next(i for i, line in enumerate(log) if i and line["open"])
    line = log[at]
    dropped = {**line, "open": line["open"][1:], "close": line["close"]}
    broken = verdict({**files, fmt.STAKE_CHANGES: write([*log[:at], dropped, *log[at + 1:]])}, redigest=True)
    assert (broken.check, broken.record) == ("snapshots", f"snapshot {line['height']}")
    assert line["open"][0][0][:6] in broken.reason and "None by the stake changes" in broken.reason
    broken = verdict({**files, fmt.STAKE_CHANGES: write([*log[:at], *log[at + 1:]])}, redigest=True)
    assert (broken.check, broken.record) == (fmt.STAKE_CHANGES, f"line {at + 1}")
    assert broken.reason.startswith(f"is for height {log[at + 1]['height']}; snapshot {at + 1} of the bundle")


def test_a_stake_change_that_breaks_the_rule_is_named(files: dict[str, bytes]) -> None:
    log = records(files, fmt.STAKE_CHANGES)
    log[1]["close"] = sorted([*log[1]["close"], ["Lnobody", "ab" * 32]])
    broken = verdict({**files, fmt.STAKE_CHANGES: write(log)}, redigest=True)
    assert (broken.check, broken.record) == (fmt.STAKE_CHANGES, "line 2")
    assert broken.reason == f"height {log[1]['height']}: closes Lnobody on {'ab' * 32}, which does not earn"


def test_a_flipped_byte_in_the_manifest_is_caught(files: dict[str, bytes]) -> None:
    manifest = files[fmt.MANIFEST]
    at = manifest.index(b'"root":"0x') + len(b'"root":"0x')
    tampered = manifest[:at] + (b"1" if manifest[at:at + 1] != b"1" else b"2") + manifest[at + 1:]
    broken = verdict({**files, fmt.MANIFEST: tampered}, redigest=False)
    assert (broken.check, broken.record) == ("tree", fmt.DUMP)
    assert "≠ the round's root" in broken.reason


def test_a_dropped_registration_is_named(files: dict[str, bytes], frozen_round: FrozenRound) -> None:
    dropped = frozen_round.figures["wallets"]["a"]
    kept = [r for r in records(files, fmt.REGISTRATIONS) if r["oxen_address"] != dropped]
    broken = verdict({**files, fmt.REGISTRATIONS: write(kept)}, redigest=True)
    assert broken.check == fmt.BONUS_INPUTS and broken.record.endswith(f"({dropped[:6]}…{dropped[-6:]})")
    assert broken.reason.endswith("give no registered address")


def test_a_dropped_registration_behind_a_claim_is_named(files: dict[str, bytes], frozen_round: FrozenRound) -> None:
    holder = frozen_round.figures["holders"][0]
    rows = records(files, fmt.REGISTRATIONS)
    kept = [r for r in rows if r["eth_address"] != holder]
    broken = verdict({**files, fmt.REGISTRATIONS: write(kept)}, redigest=True)
    assert broken.check == "claims" and broken.record.startswith("claim ")
    assert "is not a published registration" in broken.reason


def test_one_changed_amount_in_the_entries_is_named(files: dict[str, bytes]) -> None:
    rows = lines(files[fmt.ENTRIES])
    address, cumulative, bonus, claims = rows[1].decode().strip().split(",")
    rows[1] = f"{address},{int(cumulative) + 1},{int(bonus) + 1},{claims}\n".encode()
    broken = verdict({**files, fmt.ENTRIES: b"".join(rows)}, redigest=True)
    assert (broken.check, broken.record) == (fmt.ENTRIES, address)


def test_one_changed_credit_is_named(files: dict[str, bytes]) -> None:
    rows = records(files, fmt.CLAIMS)
    credit = next(r for r in rows if r["kind"] == "credit")
    credit["sesh_atomic"] = credit["wanted_sesh_atomic"] = str(int(credit["sesh_atomic"]) + 1)
    broken = verdict({**files, fmt.CLAIMS: write(rows)}, redigest=True)
    assert broken.check == "claims" and broken.record.startswith(f"credit of deposit {credit['txid'][:16]}")
    assert "floor(" in broken.reason


def test_changed_stake_blocks_are_named(files: dict[str, bytes]) -> None:
    rows = lines(files[fmt.BONUS_INPUTS])
    oxen, eth, stake_blocks = rows[2].decode().strip().split(",")
    rows[2] = f"{oxen},{eth},{int(stake_blocks) + 1}\n".encode()
    broken = verdict({**files, fmt.BONUS_INPUTS: b"".join(rows)}, redigest=True)
    assert (broken.check, broken.record) == (fmt.BONUS_INPUTS, f"line 3 ({oxen[:6]}…{oxen[-6:]})")
    assert str(int(stake_blocks) + 1) in broken.reason and stake_blocks in broken.reason


def test_a_changed_rate_is_named(files: dict[str, bytes]) -> None:
    manifest = json.loads(files[fmt.MANIFEST])
    manifest["parameters"]["claims"]["supply_snapshot"]["rate_num"] = "300000001"
    broken = verdict({**files, fmt.MANIFEST: fmt.json_bytes(manifest)}, redigest=False)
    assert broken.check == "claims" and broken.record.startswith("supply snapshot at height")


def test_two_swapped_eth_addresses_are_named(files: dict[str, bytes], frozen_round: FrozenRound) -> None:
    rows = records(files, fmt.REGISTRATIONS)
    first, second = (next(r for r in rows if r["oxen_address"] == frozen_round.figures["wallets"][name])
                     for name in "ce")
    for row in (first, second):
        row["signed_message"] = row["signed_message"].replace(row["eth_address"], "{eth}")
    first["eth_address"], second["eth_address"] = second["eth_address"], first["eth_address"]
    for row in (first, second):
        row["signed_message"] = row["signed_message"].replace("{eth}", row["eth_address"])
    broken = verdict({**files, fmt.REGISTRATIONS: write(rows)}, redigest=True)
    assert broken.check == "registrations"
    assert broken.record.startswith(f"registration {min(first['id'], second['id'])} (")
    assert "does not verify" in broken.reason


def test_a_reordered_csv_is_named(files: dict[str, bytes]) -> None:
    rows = lines(files[fmt.ENTRIES])
    rows[1], rows[2] = rows[2], rows[1]
    broken = verdict({**files, fmt.ENTRIES: b"".join(rows)}, redigest=True)
    assert broken.check == fmt.ENTRIES and broken.record.startswith("line 3 (")
    assert "out of order" in broken.reason
    rows = lines(files[fmt.BONUS_INPUTS])
    rows[1], rows[2] = rows[2], rows[1]
    broken = verdict({**files, fmt.BONUS_INPUTS: b"".join(rows)}, redigest=True)
    assert (broken.check, broken.record) == (fmt.BONUS_INPUTS, "rows")


def test_a_deposit_claimed_twice_is_named(files: dict[str, bytes]) -> None:
    rows = records(files, fmt.CLAIMS)
    credit = next(r for r in rows if r["kind"] == "credit")
    at = rows.index(credit)
    rows.insert(at + 1, dict(credit))
    broken = verdict({**files, fmt.CLAIMS: write(rows)}, redigest=True)
    assert broken.check == "claims" and broken.record.startswith(f"credit of deposit {credit['txid'][:16]}")
    assert "credited twice" in broken.reason


def test_a_signature_over_another_eth_address_is_named(files: dict[str, bytes], frozen_round: FrozenRound) -> None:
    wallet = Wallet("bundle-a")
    rows = records(files, fmt.REGISTRATIONS)
    row = next(r for r in rows if r["oxen_address"] == wallet.address)
    row["signature"] = sign_message(ETH_2.encode(), wallet.secret)  # a real signature by the wallet, another address
    broken = verdict({**files, fmt.REGISTRATIONS: write(rows)}, redigest=True)
    assert broken.check == "registrations" and broken.record.startswith(f"registration {row['id']} (")
    assert "does not verify" in broken.reason


def test_a_replayed_old_registration_is_named(files: dict[str, bytes], frozen_round: FrozenRound) -> None:
    """Going back to a superseded ETH address with the old signature (no signed time) breaks the replay rule."""
    wallet = Wallet("bundle-f")
    rows = records(files, fmt.REGISTRATIONS)
    history = [r for r in rows if r["oxen_address"] == wallet.address]
    first, last = history[0], history[-1]
    last.update(signed_message=first["signed_message"], signature=first["signature"], signed_at=None)
    broken = verdict({**files, fmt.REGISTRATIONS: write(rows)}, redigest=True)
    assert broken.check == "registrations" and broken.record.startswith(f"registration {last['id']} (")
    assert broken.reason.startswith("replay rule: replay needs time")


def test_a_file_the_manifest_does_not_list_is_named(files: dict[str, bytes]) -> None:
    broken = verdict({**files, "extra.csv": b"eth_address\n"}, redigest=False)
    assert (broken.check, broken.record) == ("files", "extra.csv")


def test_a_missing_file_is_named(files: dict[str, bytes]) -> None:
    broken = verdict({path: data for path, data in files.items() if path != fmt.CLAIMS}, redigest=False)
    assert (broken.check, broken.record, broken.reason) == ("files", fmt.CLAIMS, "listed in the manifest but missing")


def with_previous(files: dict[str, bytes], previous_csv: bytes) -> dict[str, bytes]:
    manifest = json.loads(files[fmt.MANIFEST])
    manifest["previous_round"] = {"round": 0, "root": "0x" + "00" * 32}
    manifest["files"][fmt.PREVIOUS_ENTRIES] = fmt.sha256_hex(previous_csv)
    return {**files, fmt.PREVIOUS_ENTRIES: previous_csv, fmt.MANIFEST: fmt.json_bytes(manifest)}


def test_a_round_equal_to_the_previous_one_passes(files: dict[str, bytes]) -> None:
    tampered = with_previous(files, files[fmt.ENTRIES])
    report = dict(verify_bundle(Bundle(tampered, json.loads(tampered[fmt.MANIFEST]), None, "two rounds")))
    assert report["previous round"].startswith("no account below round 0")


def test_an_account_lower_than_in_the_previous_round_is_named(files: dict[str, bytes]) -> None:
    rows = lines(files[fmt.ENTRIES])
    address, cumulative, bonus, claims = rows[3].decode().strip().split(",")
    rows[3] = f"{address},{int(cumulative) + 1},{bonus},{int(claims) + 1}\n".encode()
    broken = verdict(with_previous(files, b"".join(rows)), redigest=True)
    assert (broken.check, broken.record) == ("never lower", address)


def test_a_moved_pinned_bonus_is_named(files: dict[str, bytes]) -> None:
    rows = lines(files[fmt.ENTRIES])
    at = next(i for i, row in enumerate(rows[1:], start=1) if row.decode().split(",")[2] != "0")
    address, cumulative, bonus, claims = rows[at].decode().strip().split(",")
    rows[at] = f"{address},{int(cumulative) - 1},{int(bonus) - 1},{claims}\n".encode()
    broken = verdict(with_previous(files, b"".join(rows)), redigest=True)
    assert (broken.check, broken.record) == ("pinned bonus", address)
