"""Scalars, key validity and key derivation, against oxen-core's and cl-monero-tools' vectors.

Also pins down the two facts the fast signature path rests on: libsodium's scalar multiplication
refuses exactly the points `crypto_core_ed25519_is_valid_point` refuses, and the slow reference
arithmetic agrees with libsodium wherever both apply.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nacl import bindings as sodium
from nacl.exceptions import RuntimeError as SodiumRefused
from oxen_vectors import load
from torsion import small_order_point, torsioned_key

from swap.core import base58, ed25519_reference
from swap.core.cryptonote_keys import (
    InvalidKey,
    L,
    derive_subaddress,
    hash_to_scalar,
    is_canonical_scalar,
    key_problem,
    keys_from_spend_secret,
    public_key_from_secret,
    scalar_to_bytes,
    subaddress_public_keys,
)

CORE = load("core_signature_vectors.json")
MONERO_ADDRESSES = load("address_vectors.json")["monero"]


scalars = st.integers(min_value=1, max_value=L - 1)


@pytest.mark.parametrize("vector", CORE["secret_key_to_public_key"], ids=lambda v: v["sec"][:16])
def test_secret_keys_map_to_the_published_public_keys_or_are_refused(vector: dict[str, Any]) -> None:
    secret = bytes.fromhex(vector["sec"])
    if vector["expected"]:
        assert public_key_from_secret(secret).hex() == vector["pub"]
    else:
        with pytest.raises(InvalidKey, match="not a reduced scalar"):
            public_key_from_secret(secret)


@pytest.mark.parametrize("vector", CORE["generate_keys"], ids=lambda v: v["pub"][:16])
def test_generated_key_pairs_match(vector: dict[str, Any]) -> None:
    assert public_key_from_secret(bytes.fromhex(vector["sec"])).hex() == vector["pub"]


@pytest.mark.parametrize("vector", CORE["hash_to_scalar"], ids=lambda v: v["data"][:16])
def test_hash_to_scalar_matches_hashing_the_token_as_ascii(vector: dict[str, Any]) -> None:
    assert hash_to_scalar(vector["data"].encode("ascii")).hex() == vector["scalar"]


@pytest.mark.parametrize("vector", CORE["check_scalar"], ids=lambda v: v["scalar"][:16])
def test_canonical_scalar_check_matches_sc_check(vector: dict[str, Any]) -> None:
    assert is_canonical_scalar(bytes.fromhex(vector["scalar"])) is vector["expected"]


def test_a_zero_secret_is_refused() -> None:
    with pytest.raises(InvalidKey, match="zero"):
        public_key_from_secret(bytes(32))


@pytest.mark.parametrize("vector", [v for v in MONERO_ADDRESSES if "spend_sec" in v], ids=lambda v: v["address"][:12])
def test_wallet_keys_derive_from_the_spend_secret(vector: dict[str, Any]) -> None:
    keys = keys_from_spend_secret(bytes.fromhex(vector["spend_sec"]))
    assert keys.spend_public.hex() == vector["spend_pub"]
    assert keys.view_secret.hex() == vector["view_sec"]
    assert keys.view_public.hex() == vector["view_pub"]
    assert base58.decode_addr(vector["address"])[1] == keys.spend_public + keys.view_public


@pytest.mark.parametrize("vector", [v for v in MONERO_ADDRESSES if "major" in v], ids=lambda v: v["address"][:12])
def test_subaddress_keys_match_the_published_subaddresses(vector: dict[str, Any]) -> None:
    spend_key, view_key = subaddress_public_keys(
        bytes.fromhex(vector["base_spend_pub"]), bytes.fromhex(vector["view_sec"]), vector["major"], vector["minor"]
    )
    assert base58.decode_addr(vector["address"])[1] == spend_key + view_key


@settings(deadline=None, max_examples=30)
@given(scalars, st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1)).filter(lambda index: index != (0, 0)))
def test_a_subaddress_secret_is_the_discrete_log_of_its_spend_key(spend_scalar: int, index: tuple[int, int]) -> None:
    keys = keys_from_spend_secret(scalar_to_bytes(spend_scalar))
    sub = derive_subaddress(keys.spend_secret, keys.view_secret, *index)
    assert public_key_from_secret(sub.spend_secret) == sub.spend_public
    assert sodium.crypto_scalarmult_ed25519_noclamp(keys.view_secret, sub.spend_public) == sub.view_public


def test_subaddress_zero_zero_is_the_primary_address() -> None:
    keys = keys_from_spend_secret(hash_to_scalar(b"primary"))
    sub = derive_subaddress(keys.spend_secret, keys.view_secret, 0, 0)
    assert (sub.spend_secret, sub.spend_public, sub.view_public) == (
        keys.spend_secret,
        keys.spend_public,
        keys.view_public,
    )


def test_strict_keys_must_lie_in_the_prime_order_subgroup_while_oxen_accepts_torsion() -> None:
    key = torsioned_key(12345, 1)
    assert key_problem(key, strict=True) == "not in the prime-order subgroup (it has a small-order component)"
    assert key_problem(key, strict=False) is None
    identity = ed25519_reference.IDENTITY_ENCODING
    assert key_problem(identity, strict=False) is None  # oxen-core's check_key accepts the identity
    assert key_problem(identity, strict=True) is not None


def test_oxen_key_rules_refuse_non_canonical_and_off_curve_encodings() -> None:
    non_canonical_identity = (1 + ed25519_reference.P).to_bytes(32, "little")
    assert key_problem(non_canonical_identity, strict=False) == "not a valid curve point"
    negative_zero_x = (1 | 1 << 255).to_bytes(32, "little")  # identity with the sign bit set
    assert key_problem(negative_zero_x, strict=False) == "not a valid curve point"
    assert key_problem(bytes(31), strict=False) == "31 bytes long, not 32"


def _arbitrary_encodings() -> st.SearchStrategy[bytes]:
    prime_order = scalars.map(lambda k: sodium.crypto_scalarmult_ed25519_base_noclamp(scalar_to_bytes(k)))
    torsioned = st.builds(torsioned_key, scalars, st.integers(1, 7))
    small_order = st.integers(0, 7).map(small_order_point)
    non_canonical = st.integers(0, 18).map(lambda y: (y + ed25519_reference.P).to_bytes(32, "little"))
    return st.one_of(st.binary(min_size=32, max_size=32), prime_order, torsioned, small_order, non_canonical)


@settings(deadline=None, max_examples=300)
@given(_arbitrary_encodings(), scalars)
def test_libsodium_multiplication_refuses_exactly_the_points_is_valid_point_refuses(point: bytes, scalar: int) -> None:
    """The fast SigV1 path validates the key through this refusal; it must never be laxer."""
    try:
        sodium.crypto_scalarmult_ed25519_noclamp(scalar_to_bytes(scalar), point)
        accepted = True
    except SodiumRefused:
        accepted = False
    assert accepted is bool(sodium.crypto_core_ed25519_is_valid_point(point))


@settings(deadline=None, max_examples=50)
@given(scalars, scalars)
def test_reference_arithmetic_agrees_with_libsodium(first: int, second: int) -> None:
    base = ed25519_reference.BASE
    one = ed25519_reference.multiply(first, base)
    two = ed25519_reference.multiply(second, base)
    assert ed25519_reference.encode_point(one) == sodium.crypto_scalarmult_ed25519_base_noclamp(scalar_to_bytes(first))
    assert ed25519_reference.encode_point(ed25519_reference.add(one, two)) == sodium.crypto_core_ed25519_add(
        ed25519_reference.encode_point(one), ed25519_reference.encode_point(two)
    )
    decoded = ed25519_reference.decode_point(ed25519_reference.encode_point(one))
    assert decoded is not None and ed25519_reference.encode_point(decoded) == ed25519_reference.encode_point(one)
