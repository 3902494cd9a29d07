"""Service-node Ed25519 verification: RFC 8032 §7.1 test vectors, tampering, and malformed input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from nacl.signing import SigningKey

from swap.core.service_node_keys import verify_service_node_signature, verify_service_node_signature_hex

# RFC 8032 section 7.1, TEST 1-3: (secret seed, public key, message, signature), hex.
RFC8032_VECTORS = [
    (
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
    (
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    ),
]


@pytest.mark.parametrize("seed,public_key,message,signature", RFC8032_VECTORS, ids=["test1", "test2", "test3"])
def test_it_accepts_the_rfc8032_vectors(seed: str, public_key: str, message: str, signature: str) -> None:
    assert bytes(SigningKey(bytes.fromhex(seed)).verify_key).hex() == public_key
    assert verify_service_node_signature_hex(public_key, bytes.fromhex(message), signature).valid
    tampered = bytes.fromhex(message) + b"!"
    result = verify_service_node_signature_hex(public_key, tampered, signature)
    assert result.reason == "Ed25519 signature does not match this message and service node key"


@given(st.binary(min_size=32, max_size=32), st.binary(max_size=200), st.integers(min_value=0, max_value=511))
def test_a_node_s_own_signature_verifies_and_any_flipped_bit_does_not(seed: bytes, message: bytes, bit: int) -> None:
    key = SigningKey(seed)
    signature = key.sign(message).signature
    public_key = bytes(key.verify_key)
    assert verify_service_node_signature(public_key, message, signature).valid
    flipped = bytearray(signature)
    flipped[bit // 8] ^= 1 << (bit % 8)
    assert not verify_service_node_signature(public_key, message, bytes(flipped)).valid


@pytest.mark.parametrize(
    "public_key,signature,reason",
    [
        ("", "00" * 64, "service node key must be 32 bytes, got 0"),
        ("zz" * 32, "00" * 64, "service node key is not hex"),
        ("11" * 32, "00" * 63, "Ed25519 signature must be 64 bytes, got 63"),
        ("11" * 32, "é", "Ed25519 signature is not hex"),
        ("01" + "00" * 31, "00" * 64, "Ed25519 signature does not match this message and service node key"),
    ],
)
def test_malformed_keys_and_signatures_get_a_reason(public_key: str, signature: str, reason: str) -> None:
    assert verify_service_node_signature_hex(public_key, b"message", signature).reason == reason
