"""`manage.py oxen_address` and `manage.py oxen_verify`, run as operators run them: in a subprocess.

Every message-signature vector goes through `oxen_verify` with its keys re-encoded as an Oxen mainnet
address; every Oxen address vector through `oxen_address`. Garbage of every kind must come back as
one `invalid: <reason>` line with exit status 1, never a traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from swap.core import base58
from swap.core.cryptonote_keys import keys_from_spend_secret
from swap.core.oxen_address import AddressKind, Network, network_tag
from swap.core.oxen_signature import sign_message, verify_message

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
VECTORS_DIR = REPOSITORY_ROOT.parent / "shared" / "oxen-vectors"
MESSAGES = json.loads((VECTORS_DIR / "message_signature_vectors.json").read_text(encoding="utf-8"))
ADDRESSES = json.loads((VECTORS_DIR / "address_vectors.json").read_text(encoding="utf-8"))
MONERO_KIND_BY_TAG = {18: AddressKind.STANDARD, 53: AddressKind.STANDARD, 24: AddressKind.STANDARD}


def manage(*args: str | bytes) -> tuple[int, str]:
    """Run `python manage.py ARGS`; return (exit status, the single stdout line). No traceback allowed."""
    completed = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPOSITORY_ROOT, capture_output=True, timeout=120, check=False
    )
    stdout, stderr = completed.stdout.decode(), completed.stderr.decode()
    assert "Traceback" not in stderr, stderr
    assert stdout.endswith("\n") and stdout.count("\n") == 1, stdout
    return completed.returncode, stdout.rstrip("\n")


def as_oxen_mainnet(monero_address: str) -> str:
    tag, payload = base58.decode_addr(monero_address)
    return base58.encode_addr(network_tag(Network.MAINNET, MONERO_KIND_BY_TAG[tag]), payload)


def message_of(vector: dict[str, Any]) -> bytes:
    if "message_utf8" in vector:
        return str(vector["message_utf8"]).encode("utf-8")
    if "message_hex" in vector:
        return bytes.fromhex(vector["message_hex"])
    return (VECTORS_DIR / vector["message_file"]).read_bytes()


def message_arguments(vector: dict[str, Any]) -> list[str]:
    if "message_file" in vector:
        return ["--message-file", str(VECTORS_DIR / vector["message_file"])]
    return ["--message", vector["message_utf8"]]


@pytest.mark.parametrize("vector", MESSAGES["sigv1"], ids=lambda v: v["signature"][:12])
def test_oxen_verify_accepts_every_wallet_signature_on_its_oxen_mainnet_address(vector: dict[str, Any]) -> None:
    address = as_oxen_mainnet(vector["address"])
    signature = vector["signature"]
    status, line = manage("oxen_verify", "--address", address, *message_arguments(vector), "--signature", signature)
    if vector["expected"] is None:  # the fuzzer seed: no published answer, so agree with the core
        expected = verify_message(address, message_of(vector), signature)
        assert (status == 0) is expected.valid
        return
    if vector["expected"]:
        assert (status, line) == (0, "valid")
    else:
        assert status == 1 and line.startswith("invalid: ")


@pytest.mark.parametrize("vector", MESSAGES["sigv1"][:1], ids=["first"])
def test_oxen_verify_names_a_monero_address_as_given(vector: dict[str, Any]) -> None:
    status, line = manage(
        "oxen_verify", "--address", vector["address"], *message_arguments(vector), "--signature", vector["signature"]
    )
    assert (status, line) == (1, "invalid: address: unknown network tag 53 (a Monero testnet address, not Oxen)")


@pytest.mark.parametrize("vector", MESSAGES["monero_sigv2"], ids=lambda v: v["signature"][:12])
def test_oxen_verify_rejects_sigv2_with_a_reason(vector: dict[str, Any], tmp_path: Path) -> None:
    message_file = tmp_path / "message.bin"
    message_file.write_bytes(message_of(vector))
    address = as_oxen_mainnet(vector["address"])
    status, line = manage(
        "oxen_verify", "--address", address, "--message-file", str(message_file), "--signature", vector["signature"]
    )
    assert (status, line) == (
        1,
        "invalid: signature must start with SigV1 (got SigV2: Monero-only format, Oxen wallets do not produce it)",
    )


SIGNER = next(v for v in MESSAGES["sigv1"] if "signer_spend_sec" in v)
SIGNER_KEYS = keys_from_spend_secret(bytes.fromhex(SIGNER["signer_spend_sec"]))
SIGNER_ADDRESS = as_oxen_mainnet(SIGNER["address"])


def test_oxen_verify_takes_the_message_byte_for_byte() -> None:
    message = "  0xAbC trailing spaces and a newline \n"
    signature = sign_message(message.encode(), SIGNER_KEYS.spend_secret)
    exact = manage("oxen_verify", "--address", SIGNER_ADDRESS, "--message", message, "--signature", signature)
    assert exact == (0, "valid")
    trimmed = manage("oxen_verify", "--address", SIGNER_ADDRESS, "--message", message.strip(), "--signature", signature)
    assert trimmed == (1, "invalid: signature does not match this message and key")


def test_oxen_verify_keeps_message_bytes_that_are_not_utf8() -> None:
    message = b"\xff\xfe not UTF-8 \xc3"
    signature = sign_message(message, SIGNER_KEYS.spend_secret)
    assert manage("oxen_verify", "--address", SIGNER_ADDRESS, "--message", message, "--signature", signature) == (
        0,
        "valid",
    )


GOOD_SIGNATURE = SIGNER["signature"]
GARBAGE = {
    "empty address": (["--address", "", "--message", "x", "--signature", GOOD_SIGNATURE], "address: address is empty"),
    "10 kB address": (
        ["--address", "L" * 10_240, "--message", "x", "--signature", GOOD_SIGNATURE],
        "address: bad length: 10240 characters (an Oxen address has 95, 97, 106 or 108)",
    ),
    "non-ASCII address": (
        ["--address", "Lé" + SIGNER_ADDRESS[2:], "--message", "x", "--signature", GOOD_SIGNATURE],
        "address: bad character '\\xe9' at position 2",
    ),
    "Ethereum address": (
        ["--address", "0x52908400098527886E0F7030069857D2E4169EE7", "--message", "x", "--signature", GOOD_SIGNATURE],
        "address: bad character '0' at position 1 (this looks like an Ethereum address)",
    ),
    "empty signature": (["--address", SIGNER_ADDRESS, "--message", "x", "--signature", ""], "signature is empty"),
    "10 kB signature": (
        ["--address", SIGNER_ADDRESS, "--message", "x", "--signature", "SigV1" + "2" * 10_235],
        "signature must be 93 characters, got 10240",
    ),
    "non-ASCII signature": (
        ["--address", SIGNER_ADDRESS, "--message", "x", "--signature", GOOD_SIGNATURE[:40] + "ü" + GOOD_SIGNATURE[41:]],
        "signature: bad character '\\xfc' at position 41",
    ),
    "wrong prefix": (
        ["--address", SIGNER_ADDRESS, "--message", "x", "--signature", "0x" + "ab" * 65],
        "signature must start with SigV1 (got '0xaba')",
    ),
    "10 kB message": (
        ["--address", SIGNER_ADDRESS, "--message", "é" * 5_000, "--signature", GOOD_SIGNATURE],
        "signature does not match this message and key",
    ),
    "empty message": (
        ["--address", SIGNER_ADDRESS, "--message", "", "--signature", GOOD_SIGNATURE],
        "signature does not match this message and key",
    ),
}


@pytest.mark.parametrize("name", GARBAGE)
def test_oxen_verify_gives_garbage_one_line_with_a_reason(name: str) -> None:
    arguments, reason = GARBAGE[name]
    assert manage("oxen_verify", *arguments) == (1, f"invalid: {reason}")


@pytest.mark.parametrize("vector", ADDRESSES["oxen"], ids=lambda v: v["address"][:12] or "empty")
def test_oxen_address_prints_every_published_oxen_address(vector: dict[str, Any]) -> None:
    status, line = manage("oxen_address", vector["address"])
    if status == 1:
        assert vector["valid"] is not True and line.startswith("invalid: ")
        return
    assert vector["valid"] is not False and status == 0
    printed = json.loads(line)
    assert set(printed) == {"network", "kind", "spend_public_key", "view_public_key", "payment_id"}
    assert printed["network"] == vector["network"]
    assert printed["kind"] == vector.get("kind", printed["kind"])
    assert printed["spend_public_key"] == vector.get("spend_pub", printed["spend_public_key"])
    assert printed["view_public_key"] == vector.get("view_pub", printed["view_public_key"])
    assert printed["payment_id"] is None


def test_oxen_address_prints_integrated_and_subaddresses_on_other_networks() -> None:
    subaddress = next(v for v in ADDRESSES["monero"] if v.get("kind") == "subaddress")
    payload = base58.decode_addr(subaddress["address"])[1]
    stagenet_subaddress = base58.encode_addr(network_tag(Network.STAGENET, AddressKind.SUBADDRESS), payload)
    assert json.loads(manage("oxen_address", stagenet_subaddress)[1]) == {
        "network": "stagenet",
        "kind": "subaddress",
        "spend_public_key": payload[:32].hex(),
        "view_public_key": payload[32:].hex(),
        "payment_id": None,
    }
    devnet_integrated = base58.encode_addr(network_tag(Network.DEVNET, AddressKind.INTEGRATED), payload + b"\x01" * 8)
    printed = json.loads(manage("oxen_address", devnet_integrated)[1])
    assert (printed["network"], printed["kind"], printed["payment_id"]) == ("devnet", "integrated", "01" * 8)


@pytest.mark.parametrize(
    "garbage,reason",
    [
        ("", "address is empty"),
        ("L" * 10_240, "bad length: 10240 characters (an Oxen address has 95, 97, 106 or 108)"),
        ("日本" * 48, "bad character '\\u65e5' at position 1"),
        (ADDRESSES["monero"][0]["address"], "unknown network tag 18 (a Monero mainnet address, not Oxen)"),
        (GOOD_SIGNATURE, "bad length: 93 characters (an Oxen address has 95, 97, 106 or 108)"),
    ],
    ids=["empty", "10 kB", "non-ASCII", "wrong prefix", "a signature"],
)
def test_oxen_address_gives_garbage_one_line_with_a_reason(garbage: str, reason: str) -> None:
    assert manage("oxen_address", garbage) == (1, f"invalid: {reason}")
