"""Oxen wallet message signatures (`SigV1`): verify exactly what the wallets produce, and sign.

Every Oxen wallet entry point (`sign_value`, `sign`, wallet RPC `sign`, GUI "Sign") returns
`"SigV1" + base58(c ‖ r)`: a CryptoNote Schnorr signature by the spend secret over
`keccak256(message)` — Keccak-256, not SHA3, and nothing else hashed in (`../shared/oxen-crypto.md`
§2). It verifies against the spend public key inside the address: B for a standard or integrated
address, D for a subaddress. Oxen has only SigV1; Monero's SigV2 hashes differently and is refused.

Verification (`check_signature`), as oxen-core's `crypto::check_signature`:
c and r canonical (< L), c ≠ 0, R' = c·A + r·G, R' not the identity, Hs(h ‖ A ‖ R') = c.

Two key standards (see `cryptonote_keys`): the service's `verify_message` is strict — A must lie in
the prime-order subgroup. `strict=False` reproduces oxen-core bit for bit, torsioned keys included,
by falling back to the slow pure-Python arithmetic for the keys the strict rule refuses; it exists
so oxen-core's own vectors can be replayed, and both modes agree on all of them.

Two backends compute R' = c·A + r·G and refuse A by the same rule (libsodium's
`crypto_core_ed25519_is_valid_point`: canonical, on the curve, not small-order, prime subgroup):

* "native", `swap/core/native/sigv1_commitment.c`, built by `make install`: one variable-time pass
  (verification handles only public data) that shares A's doublings between the subgroup check
  and c·A. It exists for speed: issue 3 wants SigV1 at no less than half of Ed25519's
  verification rate, and libsodium's public API cannot get there (`bench/signatures.py`).
* "libsodium", always present: `crypto_scalarmult_ed25519_noclamp` refuses exactly the points
  `is_valid_point` refuses (the same tests run inside the call), so one constant-time call both
  validates A and computes c·A. It is the fallback when the module was not built, and the
  independent reference `tests/core/test_sigv1_native.py` compares the native backend with.

`COMMITMENT_BACKEND` names the one in use. With either, the explicit key check runs only after a
refusal, to name the reason; `tests/core` asserts both refusal rules equal `is_valid_point`, so
neither a libsodium change nor a native bug can silently weaken it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, Literal

from nacl import bindings as sodium
from nacl.exceptions import RuntimeError as SodiumRefused

from swap.core import base58, ed25519_reference
from swap.core.cryptonote_keys import (
    KEY_BYTES,
    L,
    hash_to_scalar,
    key_problem,
    public_key_from_secret,
    random_scalar,
    scalar_from_bytes,
    scalar_to_bytes,
)
from swap.core.keccak import keccak256
from swap.core.oxen_address import InvalidAddress, decode_address
from swap.core.verification import VerificationResult

SIGNATURE_PREFIX = "SigV1"
SIGNATURE_BYTES = 64
SIGNATURE_LENGTH = len(SIGNATURE_PREFIX) + 88  # 64 bytes = 8 full base58 blocks of 11 characters
HASH_BYTES = 32
IDENTITY_ENCODING = ed25519_reference.IDENTITY_ENCODING

# Prefixes of other Oxen/Monero proofs, named in the refusal so support staff know what was pasted.
_OTHER_PREFIXES = {
    "SigV2": "Monero-only format, Oxen wallets do not produce it",
    "MultisigV1": "a multisig signature, not a message signature",
    "SigMultisigPkV1": "a multisig signer signature, not a message signature",
    "SpendProofV1": "a spend proof, not a message signature",
    "OutProofV1": "an outbound transaction proof, not a message signature",
    "InProofV1": "an inbound transaction proof, not a message signature",
}


def _load_native_commitment() -> Callable[[bytes, bytes, bytes], bytes | None] | None:
    """The compiled `commitment(c, r, A)`, or None when `make install` could not build it."""
    try:
        from swap.core._sigv1_native import commitment
    except ImportError:
        return None
    return commitment


_native_commitment = _load_native_commitment()
COMMITMENT_BACKEND: Final[Literal["native", "libsodium"]] = "native" if _native_commitment is not None else "libsodium"


class InvalidSignature(ValueError):
    """The signature text is malformed (before any curve arithmetic); the message says why."""


def encode_signature(raw: bytes) -> str:
    """`"SigV1" + base58(c ‖ r)`, as `wallet2::sign` prints it."""
    if len(raw) != SIGNATURE_BYTES:
        raise ValueError(f"a signature is {SIGNATURE_BYTES} bytes")
    return SIGNATURE_PREFIX + base58.encode(raw)


def decode_signature(text: str) -> bytes:
    """The 64 bytes c ‖ r of a `SigV1…` string, or `InvalidSignature` with the reason.

    Exact, like `wallet2::verify`: no whitespace is stripped (forms may strip before calling).
    """
    if not text:
        raise InvalidSignature("signature is empty")
    if not text.startswith(SIGNATURE_PREFIX):
        for prefix, meaning in _OTHER_PREFIXES.items():
            if text.startswith(prefix):
                raise InvalidSignature(f"signature must start with {SIGNATURE_PREFIX} (got {prefix}: {meaning})")
        raise InvalidSignature(f"signature must start with {SIGNATURE_PREFIX} (got {ascii(text[:5])})")
    if len(text) != SIGNATURE_LENGTH:
        raise InvalidSignature(f"signature must be {SIGNATURE_LENGTH} characters, got {len(text)}")
    try:
        raw = base58.decode(text[len(SIGNATURE_PREFIX) :])
    except base58.Base58Error as error:
        raise InvalidSignature(f"signature: {error.shifted(len(SIGNATURE_PREFIX))}") from None
    if len(raw) != SIGNATURE_BYTES:  # unreachable for 88 valid characters; kept as a guard
        raise InvalidSignature(f"signature must decode to {SIGNATURE_BYTES} bytes")
    return raw


def _commitment_with_libsodium(c_bytes: bytes, r_value: int, public_key: bytes) -> bytes | None:
    """c·A + r·G via libsodium, or None when libsodium refuses A (any point outside the prime subgroup)."""
    try:
        c_times_key: bytes = sodium.crypto_scalarmult_ed25519_noclamp(c_bytes, public_key)
    except SodiumRefused:
        return None
    if r_value == 0:  # libsodium refuses a zero scalar; Oxen accepts r = 0 and so R' = c·A
        return c_times_key
    r_times_base = sodium.crypto_scalarmult_ed25519_base_noclamp(scalar_to_bytes(r_value))
    commitment: bytes = sodium.crypto_core_ed25519_add(c_times_key, r_times_base)
    return commitment


def _commitment_by_reference(c_value: int, r_value: int, public_key: bytes) -> bytes | None:
    """c·A + r·G on the whole curve (slow); None if A is not even a point oxen-core accepts."""
    point = ed25519_reference.decode_point(public_key)
    if point is None:
        return None
    total = ed25519_reference.add(
        ed25519_reference.multiply(c_value, point),
        ed25519_reference.multiply(r_value, ed25519_reference.BASE),
    )
    return ed25519_reference.encode_point(total)


def check_signature(
    prefix_hash: bytes, public_key: bytes, signature: bytes, *, strict: bool = True
) -> VerificationResult:
    """oxen-core's `crypto::check_signature(h, A, c ‖ r)`, with a reason on failure.

    `strict=True` additionally requires A in the prime-order subgroup (the service's rule).
    """
    if len(prefix_hash) != HASH_BYTES:
        return VerificationResult.failed(f"message hash must be {HASH_BYTES} bytes")
    if len(public_key) != KEY_BYTES:
        return VerificationResult.failed(f"public key must be {KEY_BYTES} bytes, got {len(public_key)}")
    if len(signature) != SIGNATURE_BYTES:
        return VerificationResult.failed(f"signature must be {SIGNATURE_BYTES} bytes, got {len(signature)}")
    c_bytes = signature[:32]
    c_value, r_value = scalar_from_bytes(c_bytes), scalar_from_bytes(signature[32:])
    if c_value >= L:
        return VerificationResult.failed("signature scalar c is not reduced (c >= L)")
    if r_value >= L:
        return VerificationResult.failed("signature scalar r is not reduced (r >= L)")
    if c_value == 0:
        return VerificationResult.failed("signature scalar c is zero")
    if _native_commitment is not None:
        commitment = _native_commitment(c_bytes, signature[32:], public_key)
    else:
        commitment = _commitment_with_libsodium(c_bytes, r_value, public_key)
    if commitment is None:
        problem = key_problem(public_key, strict=strict)
        if problem is not None:
            return VerificationResult.failed(f"public key is {problem}")
        # Only a key oxen-core accepts but the strict rule does not (torsioned, lax mode) gets here.
        commitment = _commitment_by_reference(c_value, r_value, public_key)
        if commitment is None:  # unreachable: key_problem already decoded the key
            return VerificationResult.failed("public key is not a valid curve point")
    if commitment == IDENTITY_ENCODING:
        return VerificationResult.failed("signature commitment c*A + r*G is the identity point")
    if scalar_from_bytes(hash_to_scalar(prefix_hash + public_key + commitment)) != c_value:
        return VerificationResult.failed("signature does not match this message and key")
    return VerificationResult.passed()


def generate_signature(prefix_hash: bytes, public_key: bytes, secret_key: bytes, *, nonce: int | None = None) -> bytes:
    """oxen-core's `crypto::generate_signature`: c ‖ r with c = Hs(h ‖ A ‖ k·G), r = k − c·secret.

    `nonce` fixes k and exists only to replay published vectors: reusing a nonce with two
    messages reveals the secret. Left as None, k is drawn fresh from the OS CSPRNG. Not
    constant-time (Python integers): for tests, fixtures and the demo, not for custody.
    """
    if len(prefix_hash) != HASH_BYTES:
        raise ValueError(f"message hash must be {HASH_BYTES} bytes")
    secret_value = scalar_from_bytes(secret_key)
    public_key_from_secret(secret_key)  # refuses a non-canonical or zero secret
    while True:
        k = random_scalar() if nonce is None else nonce
        if not 0 < k < L:
            raise ValueError("a nonce is a scalar in [1, L)")
        commitment = sodium.crypto_scalarmult_ed25519_base_noclamp(scalar_to_bytes(k))
        c_value = scalar_from_bytes(hash_to_scalar(prefix_hash + public_key + commitment))
        r_value = (k - c_value * secret_value) % L
        if c_value != 0 and r_value != 0:
            return scalar_to_bytes(c_value) + scalar_to_bytes(r_value)
        if nonce is not None:
            raise ValueError("this nonce gives c = 0 or r = 0; the wallet would draw another")


def sign_message(message: bytes, secret_key: bytes) -> str:
    """`wallet2::sign`: a `SigV1…` string over `keccak256(message)`.

    Pass the spend secret b for a primary or integrated address, or the subaddress's b + m
    (`cryptonote_keys.derive_subaddress`) for a subaddress.
    """
    public_key = public_key_from_secret(secret_key)
    return encode_signature(generate_signature(keccak256(message), public_key, secret_key))


def verify_message_with_key(
    message: bytes, spend_public_key: bytes, signature: str, *, strict: bool = True
) -> VerificationResult:
    """Verify a `SigV1…` string over `message` (exact bytes) against a spend public key."""
    try:
        raw = decode_signature(signature)
    except InvalidSignature as error:
        return VerificationResult.failed(str(error))
    return check_signature(keccak256(message), spend_public_key, raw, strict=strict)


def verify_message(address: str, message: bytes, signature: str) -> VerificationResult:
    """The service's check: does `signature` prove that the holder of `address` signed `message`?

    Strict keys; any Oxen network and kind (the caller decides which networks a use case accepts
    by decoding the address itself). The message is taken byte for byte — that is what the wallet
    signed (CLI `sign_value` joins words with single spaces, the GUI trims; see the spec §2.1).
    """
    try:
        decoded = decode_address(address)
    except InvalidAddress as error:
        return VerificationResult.failed(f"address: {error}")
    return verify_message_with_key(message, decoded.spend_public_key, signature)
