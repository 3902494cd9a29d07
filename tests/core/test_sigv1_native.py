"""The native SigV1 commitment (`swap/core/native/sigv1_commitment.c`) against libsodium and the reference.

The native module replaces libsodium on the verification hot path only if it is indistinguishable
from it: the same refusals (exactly `crypto_core_ed25519_is_valid_point`'s) and the same bytes for
every accepted key, and it must fail cleanly, never crash, on wrong arguments.
"""

from __future__ import annotations

import os
import random
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nacl import bindings as sodium
from oxen_vectors import load
from torsion import small_order_point, torsioned_key

from swap.core import ed25519_reference, oxen_signature
from swap.core.cryptonote_keys import L, scalar_from_bytes, scalar_to_bytes
from swap.core.oxen_signature import _commitment_by_reference, _commitment_with_libsodium

try:
    from swap.core import _sigv1_native
except ImportError:
    _sigv1_native = None

P = ed25519_reference.P
CORE = load("core_signature_vectors.json")
CHECK_SIGNATURE_VECTORS = [
    *CORE["check_signature"],
    *CORE["check_signature_cl_monero_tools"]["vectors"],
    *CORE["check_signature_monero_teststxt"]["vectors"],
]
scalars = st.integers(min_value=1, max_value=L - 1)
maybe_zero_scalars = st.one_of(st.just(0), st.integers(min_value=0, max_value=L - 1))


@pytest.fixture(scope="module")
def native() -> ModuleType:
    """The built module; CI fails without it, elsewhere these tests skip (`make install` builds it)."""
    if _sigv1_native is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set and swap.core._sigv1_native is not built: run `make install`")
        pytest.skip("swap.core._sigv1_native is not built (make install builds it)")
    return _sigv1_native


def test_the_native_backend_is_the_active_one_whenever_it_is_built() -> None:
    """Under CI this proves the fast path was built and is the one the vector tests went through."""
    if _sigv1_native is None and not os.environ.get("CI"):
        pytest.skip("swap.core._sigv1_native is not built (make install builds it)")
    assert oxen_signature.COMMITMENT_BACKEND == "native"


def public_key(secret: int) -> bytes:
    return sodium.crypto_scalarmult_ed25519_base_noclamp(scalar_to_bytes(secret))


def agrees_with_libsodium(native: ModuleType, c: int, r: int, key: bytes) -> bytes | None:
    """Native and libsodium give the same answer for (c, r, key); return it."""
    expected = _commitment_with_libsodium(scalar_to_bytes(c), r, key)
    assert (expected is None) is not sodium.crypto_core_ed25519_is_valid_point(key)
    assert native.commitment(scalar_to_bytes(c), scalar_to_bytes(r), key) == expected
    return expected


@settings(deadline=None, max_examples=60)
@given(scalars, maybe_zero_scalars, scalars)
def test_it_equals_libsodium_and_the_reference_for_real_keys(native: ModuleType, c: int, r: int, secret: int) -> None:
    key = public_key(secret)
    result = agrees_with_libsodium(native, c, r, key)
    assert result is not None
    assert result == _commitment_by_reference(c, r, key)


def test_a_zero_r_gives_c_times_the_key(native: ModuleType) -> None:
    key, c = public_key(987654321), 123456789
    assert native.commitment(scalar_to_bytes(c), bytes(32), key) == sodium.crypto_scalarmult_ed25519_noclamp(
        scalar_to_bytes(c), key
    )


def test_a_commitment_that_cancels_out_is_the_identity_encoding(native: ModuleType) -> None:
    secret, c = 424242, 5
    cancelling_r = (-c * secret) % L
    result = agrees_with_libsodium(native, c, cancelling_r, public_key(secret))
    assert result == ed25519_reference.IDENTITY_ENCODING


def test_extreme_scalars_agree(native: ModuleType) -> None:
    key = public_key(7)
    for c in (1, 2, 2**252, L - 1):
        for r in (0, 1, 2**252 - 1, L - 1):
            assert agrees_with_libsodium(native, c, r, key) is not None


def _arbitrary_encodings() -> st.SearchStrategy[bytes]:
    prime_order = scalars.map(public_key)
    torsioned = st.builds(torsioned_key, scalars, st.integers(1, 7))
    small_order = st.integers(0, 7).map(small_order_point)
    non_canonical = st.integers(0, 18).map(lambda y: (y + P).to_bytes(32, "little"))
    with_sign = st.one_of(small_order, non_canonical).map(lambda key: key[:31] + bytes([key[31] | 0x80]))
    return st.one_of(st.binary(min_size=32, max_size=32), prime_order, torsioned, small_order, non_canonical, with_sign)


@settings(deadline=None, max_examples=400)
@given(_arbitrary_encodings(), scalars, maybe_zero_scalars)
def test_it_refuses_exactly_what_is_valid_point_refuses(native: ModuleType, key: bytes, c: int, r: int) -> None:
    agrees_with_libsodium(native, c, r, key)


def test_random_strings_are_refused_or_accepted_as_libsodium_does(native: ModuleType) -> None:
    """Most random strings are off the curve or torsioned; about 1 in 16 is a prime-order point."""
    rng = random.Random(20240603)  # fixed, so a failure reproduces
    accepted = 0
    for _ in range(4000):
        key = rng.randbytes(32)
        accepted += agrees_with_libsodium(native, rng.randrange(1, L), rng.randrange(L), key) is not None
    assert 150 < accepted < 400


def _crafted_keys() -> dict[str, bytes]:
    def encoding(y: int, sign: int = 0) -> bytes:
        return (y | sign << 255).to_bytes(32, "little")

    keys = {
        "y = p": encoding(P),
        "y = p, sign set": encoding(P, 1),
        "y = 2^255 - 1": encoding(2**255 - 1),
        "y = 2^255 - 1, sign set": encoding(2**255 - 1, 1),
        "identity": ed25519_reference.IDENTITY_ENCODING,
        "identity with x = -0": encoding(1, 1),
        "order 2 with x = -0": encoding(P - 1, 1),
        "base point": public_key(1),
        "minus base point": public_key(L - 1),
    }
    for y in range(19):  # y + p for every y < 19: on-curve values written non-canonically
        keys[f"y = p + {y}"] = encoding(P + y)
        keys[f"y = p + {y}, sign set"] = encoding(P + y, 1)
    for multiple in range(8):
        small = small_order_point(multiple)
        keys[f"small order {multiple}"] = small
        keys[f"small order {multiple}, sign flipped"] = small[:31] + bytes([small[31] ^ 0x80])
        keys[f"prime order + torsion {multiple}"] = torsioned_key(31337, multiple)
    return keys


CRAFTED = _crafted_keys()


@pytest.mark.parametrize("name", CRAFTED)
def test_crafted_keys_are_refused_or_accepted_as_libsodium_does(native: ModuleType, name: str) -> None:
    key = CRAFTED[name]
    for c, r in ((1, 0), (8, 0), (12345, 67890), (L - 1, L - 1)):
        agrees_with_libsodium(native, c, r, key)


def test_the_crafted_keys_cover_what_they_claim() -> None:
    accepted = {name for name, key in CRAFTED.items() if sodium.crypto_core_ed25519_is_valid_point(key)}
    # an order-2 component (torsion 4) is refused too: older libsodium tested only [L]A's x = 0
    assert accepted == {"base point", "minus base point", "prime order + torsion 0"}


@pytest.mark.parametrize("vector", CHECK_SIGNATURE_VECTORS, ids=lambda v: v["sig"][:12])
def test_every_published_check_signature_vector_gets_libsodium_s_commitment(
    native: ModuleType, vector: dict[str, Any]
) -> None:
    key, signature = bytes.fromhex(vector["pub"]), bytes.fromhex(vector["sig"])
    c, r = scalar_from_bytes(signature[:32]), scalar_from_bytes(signature[32:])
    if c >= L or r >= L:
        with pytest.raises(ValueError, match="reduced scalar"):
            native.commitment(signature[:32], signature[32:], key)
    elif c != 0:
        agrees_with_libsodium(native, c, r, key)


def test_it_gives_the_same_answers_from_many_threads_at_once(native: ModuleType) -> None:
    """It releases the GIL while it computes, so it must keep no shared scratch state."""
    rng = random.Random(7)
    jobs = [
        (scalar_to_bytes(rng.randrange(1, L)), scalar_to_bytes(rng.randrange(L)), public_key(k)) for k in range(1, 65)
    ]
    expected = [native.commitment(*job) for job in jobs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(lambda job: native.commitment(*job), jobs * 4)) == expected * 4


GOOD = (scalar_to_bytes(3), scalar_to_bytes(4), public_key(5))
WRONG_TYPES = {
    "str": "a" * 32,
    "bytearray": bytearray(32),
    "memoryview": memoryview(bytes(32)),
    "int": 0,
    "None": None,
    "list": [0] * 32,
}


@pytest.mark.parametrize("position", [0, 1, 2], ids=["c", "r", "public_key"])
@pytest.mark.parametrize("wrong", WRONG_TYPES, ids=str)
def test_a_wrong_type_raises_type_error(native: ModuleType, position: int, wrong: str) -> None:
    args: list[Any] = list(GOOD)
    args[position] = WRONG_TYPES[wrong]
    with pytest.raises(TypeError, match="must be bytes"):
        native.commitment(*args)


@pytest.mark.parametrize("position", [0, 1, 2], ids=["c", "r", "public_key"])
@pytest.mark.parametrize("length", [0, 31, 33, 64])
def test_a_wrong_length_raises_value_error(native: ModuleType, position: int, length: int) -> None:
    args = list(GOOD)
    args[position] = bytes(length)
    with pytest.raises(ValueError, match="must be 32 bytes"):
        native.commitment(*args)


@pytest.mark.parametrize("scalar", [L, L + 1, 2**256 - 1], ids=["L", "L+1", "2^256-1"])
def test_an_unreduced_scalar_raises_value_error(native: ModuleType, scalar: int) -> None:
    with pytest.raises(ValueError, match="'c' must be a reduced scalar"):
        native.commitment(scalar.to_bytes(32, "little"), GOOD[1], GOOD[2])
    with pytest.raises(ValueError, match="'r' must be a reduced scalar"):
        native.commitment(GOOD[0], scalar.to_bytes(32, "little"), GOOD[2])


def test_wrong_argument_counts_and_keywords_raise_type_error(native: ModuleType) -> None:
    for args in [(), GOOD[:2], (*GOOD, GOOD[0])]:
        with pytest.raises(TypeError):
            native.commitment(*args)
    with pytest.raises(TypeError):
        native.commitment(*GOOD[:2], public_key=GOOD[2])
