"""SigV1 wallet message signatures: every published vector, and properties on every network and kind."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from oxen_vectors import load, message_bytes
from torsion import torsioned_key

from swap.core import base58
from swap.core.cryptonote_keys import (
    L,
    derive_subaddress,
    hash_to_scalar,
    keys_from_spend_secret,
    public_key_from_secret,
    scalar_from_bytes,
    scalar_to_bytes,
)
from swap.core.keccak import keccak256
from swap.core.oxen_address import AddressKind, Network, OxenAddress, encode_address, network_tag
from swap.core.oxen_signature import (
    check_signature,
    decode_signature,
    encode_signature,
    generate_signature,
    sign_message,
    verify_message,
    verify_message_with_key,
)
from swap.core.verification import VerificationResult

CORE = load("core_signature_vectors.json")
MESSAGES = load("message_signature_vectors.json")
CHECK_SIGNATURE_VECTORS = [
    *[("oxen-core", v) for v in CORE["check_signature"]],
    *[("cl-monero-tools", v) for v in CORE["check_signature_cl_monero_tools"]["vectors"]],
    *[("monero", v) for v in CORE["check_signature_monero_teststxt"]["vectors"]],
]
MONERO_KIND_BY_TAG = {18: AddressKind.STANDARD, 53: AddressKind.STANDARD, 24: AddressKind.STANDARD}


def spend_key_of(any_address: str) -> bytes:
    return base58.decode_addr(any_address)[1][:32]


def as_oxen_mainnet(monero_address: str) -> str:
    tag, payload = base58.decode_addr(monero_address)
    return base58.encode_addr(network_tag(Network.MAINNET, MONERO_KIND_BY_TAG[tag]), payload)


def test_all_75_core_vectors_are_present() -> None:
    assert len(CHECK_SIGNATURE_VECTORS) == 75


@pytest.mark.parametrize("strict", [True, False], ids=["service-strict", "oxen-exact"])
@pytest.mark.parametrize(
    "origin,vector", CHECK_SIGNATURE_VECTORS, ids=lambda v: v if isinstance(v, str) else v["sig"][:12]
)
def test_check_signature_gives_the_published_answer(origin: str, vector: dict[str, Any], strict: bool) -> None:
    result = check_signature(
        bytes.fromhex(vector["prefix_hash"]), bytes.fromhex(vector["pub"]), bytes.fromhex(vector["sig"]), strict=strict
    )
    assert result.valid is vector["expected"], result.reason


@pytest.mark.parametrize("vector", CORE["generate_signature"], ids=lambda v: v["expected_sig"][:12])
def test_signing_reproduces_the_published_signatures_from_their_nonce(vector: dict[str, Any]) -> None:
    prefix_hash, public_key = bytes.fromhex(vector["prefix_hash"]), bytes.fromhex(vector["pub"])
    secret, expected = bytes.fromhex(vector["sec"]), bytes.fromhex(vector["expected_sig"])
    assert public_key_from_secret(secret) == public_key
    assert check_signature(prefix_hash, public_key, expected).valid
    c_value, r_value = scalar_from_bytes(expected[:32]), scalar_from_bytes(expected[32:])
    nonce = (r_value + c_value * scalar_from_bytes(secret)) % L  # r = k - c*secret
    assert generate_signature(prefix_hash, public_key, secret, nonce=nonce) == expected


@pytest.mark.parametrize("vector", MESSAGES["sigv1"], ids=lambda v: v["signature"][:12])
def test_wallet_signatures_verify_as_given_and_re_encoded_as_oxen_mainnet(vector: dict[str, Any]) -> None:
    message, signature = message_bytes(vector), vector["signature"]
    strict = verify_message_with_key(message, spend_key_of(vector["address"]), signature)
    exact = verify_message_with_key(message, spend_key_of(vector["address"]), signature, strict=False)
    on_oxen = verify_message(as_oxen_mainnet(vector["address"]), message, signature)
    assert strict == exact == on_oxen
    if vector["expected"] is not None:
        assert strict.valid is vector["expected"], strict.reason
    if "signer_spend_sec" in vector:
        keys = keys_from_spend_secret(bytes.fromhex(vector["signer_spend_sec"]))
        assert base58.decode_addr(vector["address"])[1] == keys.spend_public + keys.view_public


def test_the_worked_example_re_encodes_to_the_spec_s_oxen_mainnet_address() -> None:
    docs_example = next(v for v in MESSAGES["sigv1"] if v["address"].startswith("55LTR8Kn"))
    assert as_oxen_mainnet(docs_example["address"]) == (
        "L8Szfn2BSTcLQGJSPtbYDacR7dz8RBFnsfAKMaMuwUNYX6aQbBcovzDPyrQF9KXF9tVU6Xk3K8no1BywnJX6GvZX8wUjcVC"
    )


def monero_sigv2_hash(spend_key: bytes, view_key: bytes, message: bytes) -> bytes:
    """Monero's SigV2 spend-mode hash (oxen-crypto.md §2.4), to show the negatives are real signatures."""
    return keccak256(
        b"MoneroMessageSignature\x00" + spend_key + view_key + b"\x00" + base58.encode_varint(len(message)) + message
    )


@pytest.mark.parametrize("vector", MESSAGES["monero_sigv2"], ids=lambda v: v["signature"][:12])
def test_it_rejects_sigv2_with_a_reason(vector: dict[str, Any]) -> None:
    message, signature = message_bytes(vector), vector["signature"]
    spend_key, view_key = bytes.fromhex(vector["spend_pub"]), bytes.fromhex(vector["view_pub"])
    raw = base58.decode(signature[5:])
    assert check_signature(monero_sigv2_hash(spend_key, view_key, message), spend_key, raw).valid  # a real SigV2
    assert "signature_raw_hex" not in vector or raw.hex() == vector["signature_raw_hex"]

    result = verify_message_with_key(message, spend_key, signature)
    assert result == VerificationResult.failed(
        "signature must start with SigV1 (got SigV2: Monero-only format, Oxen wallets do not produce it)"
    )
    relabelled = verify_message_with_key(message, spend_key, "SigV1" + signature[5:])
    assert relabelled == VerificationResult.failed("signature does not match this message and key")


def test_non_reduced_scalars_are_refused_so_signatures_are_not_malleable() -> None:
    vector = MESSAGES["sigv1"][0]
    raw = decode_signature(vector["signature"])
    key, prefix_hash = spend_key_of(vector["address"]), keccak256(message_bytes(vector))
    c_value, r_value = scalar_from_bytes(raw[:32]), scalar_from_bytes(raw[32:])
    assert check_signature(prefix_hash, key, raw).valid
    assert r_value + L < 2**256 and c_value + L < 2**256
    r_plus_l = raw[:32] + scalar_to_bytes(r_value + L)
    assert check_signature(prefix_hash, key, r_plus_l).reason == "signature scalar r is not reduced (r >= L)"
    c_plus_l = scalar_to_bytes(c_value + L) + raw[32:]
    assert check_signature(prefix_hash, key, c_plus_l).reason == "signature scalar c is not reduced (c >= L)"
    assert check_signature(prefix_hash, key, bytes(32) + raw[32:]).reason == "signature scalar c is zero"


def test_a_zero_r_is_computed_not_crashed_on_and_an_identity_commitment_is_refused() -> None:
    secret = hash_to_scalar(b"identity test")
    key, prefix_hash, c_value = public_key_from_secret(secret), keccak256(b"m"), 5
    zero_r = check_signature(prefix_hash, key, scalar_to_bytes(c_value) + bytes(32))
    assert zero_r.reason == "signature does not match this message and key"
    cancelling_r = (-c_value * scalar_from_bytes(secret)) % L  # c*A + r*G = 0
    identity = check_signature(prefix_hash, key, scalar_to_bytes(c_value) + scalar_to_bytes(cancelling_r))
    assert identity.reason == "signature commitment c*A + r*G is the identity point"


def test_oxen_accepts_a_signature_by_a_torsioned_key_that_the_service_refuses() -> None:
    secret_value = 987654321
    key = torsioned_key(secret_value, 1)  # b*G + T with T of order 8: the signer knows b
    prefix_hash = keccak256(b"torsion")
    for _ in range(200):  # valid under Oxen's rules only when c*T = 0, i.e. 8 divides c
        raw = generate_signature(prefix_hash, key, scalar_to_bytes(secret_value))
        if check_signature(prefix_hash, key, raw, strict=False).valid:
            break
    else:
        raise AssertionError("no signature with 8 | c in 200 tries")
    assert scalar_from_bytes(raw[:32]) % 8 == 0
    strict = check_signature(prefix_hash, key, raw, strict=True)
    assert strict.reason == "public key is not in the prime-order subgroup (it has a small-order component)"


# ---- properties -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedClaim:
    address: OxenAddress
    message: bytes
    signature: str

    @property
    def address_text(self) -> str:
        return encode_address(self.address)


@st.composite
def signed_claims(draw: st.DrawFn, min_message_size: int = 0) -> SignedClaim:
    keys = keys_from_spend_secret(scalar_to_bytes(draw(st.integers(min_value=1, max_value=L - 1))))
    network, kind = draw(st.sampled_from(Network)), draw(st.sampled_from(AddressKind))
    if kind is AddressKind.SUBADDRESS:
        index = draw(st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1)).filter(lambda i: i != (0, 0)))
        sub = derive_subaddress(keys.spend_secret, keys.view_secret, *index)
        address, secret = OxenAddress(network, kind, sub.spend_public, sub.view_public), sub.spend_secret
    else:
        payment_id = draw(st.binary(min_size=8, max_size=8)) if kind is AddressKind.INTEGRATED else None
        address = OxenAddress(network, kind, keys.spend_public, keys.view_public, payment_id)
        secret = keys.spend_secret
    message = draw(st.binary(min_size=min_message_size, max_size=300))
    return SignedClaim(address, message, sign_message(message, secret))


def flip_bit(data: bytes, bit: int) -> bytes:
    flipped = bytearray(data)
    flipped[bit // 8 % len(data)] ^= 1 << (bit % 8)
    return bytes(flipped)


@settings(deadline=None)
@given(signed_claims())
def test_sign_then_verify_round_trips_on_every_network_and_kind(claim: SignedClaim) -> None:
    assert verify_message(claim.address_text, claim.message, claim.signature) == VerificationResult.passed()
    assert len(claim.signature) == 93


@settings(deadline=None)
@given(signed_claims(min_message_size=1), st.integers(min_value=0))
def test_any_flipped_message_bit_is_rejected(claim: SignedClaim, bit: int) -> None:
    flipped = flip_bit(claim.message, bit)
    assert not verify_message(claim.address_text, flipped, claim.signature).valid


@settings(deadline=None)
@given(signed_claims(), st.integers(min_value=0, max_value=255))
def test_any_flipped_spend_key_bit_is_rejected(claim: SignedClaim, bit: int) -> None:
    other_key = replace(claim.address, spend_public_key=flip_bit(claim.address.spend_public_key, bit))
    result = verify_message(encode_address(other_key), claim.message, claim.signature)
    assert not result.valid and result.reason


@settings(deadline=None)
@given(signed_claims(), st.integers(min_value=0, max_value=511))
def test_any_flipped_signature_bit_is_rejected(claim: SignedClaim, bit: int) -> None:
    raw = decode_signature(claim.signature)
    flipped = encode_signature(flip_bit(raw, bit))
    assert not verify_message(claim.address_text, claim.message, flipped).valid


@settings(deadline=None)
@given(signed_claims(), st.integers(min_value=0, max_value=92), st.integers(min_value=0, max_value=6))
def test_any_flipped_bit_in_the_signature_text_is_rejected(claim: SignedClaim, position: int, bit: int) -> None:
    text = claim.signature
    flipped = text[:position] + chr(ord(text[position]) ^ (1 << bit)) + text[position + 1 :]
    assume(flipped != text)
    result = verify_message(claim.address_text, claim.message, flipped)
    assert not result.valid and result.reason


def _is_short_printable(reason: str) -> bool:
    return bool(reason) and reason.isascii() and reason.isprintable() and len(reason) <= 200


@settings(deadline=None)
@given(st.text(max_size=120), st.binary(max_size=50), st.text(max_size=120))
def test_garbage_of_any_kind_gets_a_reason_never_an_exception(address: str, message: bytes, signature: str) -> None:
    result = verify_message(address, message, signature)
    assert _is_short_printable(result.reason)


GOOD = MESSAGES["sigv1"][0]
GARBAGE_SIGNATURES = {
    "empty": ("", "signature is empty"),
    "10 kB": ("SigV1" + "1" * 10_235, "signature must be 93 characters, got 10240"),
    "non-ASCII": ("SigV1" + "\u00e9" * 88, "signature: bad character '\\xe9' at position 6"),
    "wrong prefix": ("sigv1" + GOOD["signature"][5:], "signature must start with SigV1 (got 'sigv1')"),
    "whitespace": (" " + GOOD["signature"], "signature must start with SigV1 (got ' SigV')"),
    "proof": (
        "OutProofV1abc",
        "signature must start with SigV1 (got OutProofV1: an outbound transaction proof, not a message signature)",
    ),
    "overflowing block": ("SigV1" + "z" * 88, "signature: block value does not fit in 8 bytes at position 6"),
}


@pytest.mark.parametrize("name", GARBAGE_SIGNATURES)
def test_garbage_signatures_get_a_reason(name: str) -> None:
    signature, reason = GARBAGE_SIGNATURES[name]
    result = verify_message(as_oxen_mainnet(GOOD["address"]), message_bytes(GOOD), signature)
    assert result == VerificationResult.failed(reason)
    assert _is_short_printable(result.reason)


@pytest.mark.parametrize(
    "address,reason",
    [
        ("", "address: address is empty"),
        ("L" * 10_240, "address: bad length: 10240 characters (an Oxen address has 95, 97, 106 or 108)"),
        ("\u4e2d" * 95, "address: bad character '\\u4e2d' at position 1"),
        (GOOD["address"], "address: unknown network tag 53 (a Monero testnet address, not Oxen)"),
    ],
    ids=["empty", "10 kB", "non-ASCII", "wrong prefix"],
)
def test_garbage_addresses_get_a_reason(address: str, reason: str) -> None:
    assert verify_message(address, message_bytes(GOOD), GOOD["signature"]) == VerificationResult.failed(reason)


def test_reasons_are_kept_to_one_short_line() -> None:
    result = VerificationResult.failed("first line\nsecond line " + "x" * 1000)
    assert "\n" not in result.reason and len(result.reason) == 200 and result.reason.endswith("...")
    assert not result and VerificationResult.passed()
