"""CryptoNote scalars and keys: canonical-scalar checks, key validity, wallet and subaddress keys.

Scalars are 32-byte little-endian integers modulo the group order L; points are 32-byte
compressed Ed25519 encodings (`../shared/oxen-crypto.md` §1.7, §2.2).

Two standards of key validity, because Oxen itself is laxer than this service wants to be:

* `strict=True` (the service's rule): canonical encoding, on the curve, and in the prime-order
  subgroup (libsodium's `crypto_core_ed25519_is_valid_point`). Every key a real wallet derives
  (`b·G`, `B + m·G`, `a·D`) passes; only hand-crafted keys with a small-order component fail.
* `strict=False` (oxen-core's `crypto::check_key`): canonical encoding and on the curve, nothing
  more, so a key with a torsion component is accepted. Used to replay oxen-core's vectors exactly.

Arithmetic on scalars uses Python integers (exact and cheap); arithmetic on points uses libsodium
through PyNaCl. Signing helpers here are not constant-time: they exist for tests, fixtures and the
demo, never for holding real holders' keys.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from nacl import bindings as sodium

from swap.core import ed25519_reference
from swap.core.keccak import keccak256

L = ed25519_reference.L
SCALAR_BYTES = 32
KEY_BYTES = 32
SUBADDRESS_DOMAIN = b"SubAddr\x00"  # oxen-core cryptonote_config.h: hash domain of subaddress scalars
_UINT32_LIMIT = 1 << 32


class InvalidKey(ValueError):
    """A secret or public key that cannot be used; the message says why."""


def scalar_to_bytes(value: int) -> bytes:
    return value.to_bytes(SCALAR_BYTES, "little")


def scalar_from_bytes(data: bytes) -> int:
    return int.from_bytes(data, "little")


def is_canonical_scalar(data: bytes) -> bool:
    """oxen-core's `sc_check`: 32 bytes whose little-endian value is below L."""
    return len(data) == SCALAR_BYTES and scalar_from_bytes(data) < L


def reduce32(data: bytes) -> bytes:
    """oxen-core's `sc_reduce32`: a 32-byte value reduced modulo L."""
    return scalar_to_bytes(scalar_from_bytes(data) % L)


def hash_to_scalar(data: bytes) -> bytes:
    """oxen-core's `hash_to_scalar`: `sc_reduce32(keccak256(data))`."""
    return reduce32(keccak256(data))


def random_scalar() -> int:
    """A uniformly random scalar in [1, L), from the operating system's CSPRNG."""
    return secrets.randbelow(L - 1) + 1


def key_problem(key: bytes, *, strict: bool = True) -> str | None:
    """Why `key` is not a usable public key (a phrase completing "key is …"), or None if it is.

    See the module docstring for the two standards. The slow pure-Python decoder runs only when
    libsodium already refused the key (to tell "not on the curve" from "wrong subgroup") or in
    the lax mode.
    """
    if len(key) != KEY_BYTES:
        return f"{len(key)} bytes long, not {KEY_BYTES}"
    if sodium.crypto_core_ed25519_is_valid_point(key):
        return None
    if ed25519_reference.decode_point(key) is None:
        return "not a valid curve point"
    if strict:
        return "not in the prime-order subgroup (it has a small-order component)"
    return None


def _checked_secret(secret_key: bytes) -> int:
    if len(secret_key) != SCALAR_BYTES:
        raise InvalidKey(f"a secret key is {SCALAR_BYTES} bytes, got {len(secret_key)}")
    value = scalar_from_bytes(secret_key)
    if value >= L:
        raise InvalidKey("secret key is not a reduced scalar (it is >= L)")
    if value == 0:
        raise InvalidKey("secret key is zero")
    return value


def public_key_from_secret(secret_key: bytes) -> bytes:
    """`secret·G`, refusing a non-canonical secret as oxen-core's `secret_key_to_public_key` does.

    A zero secret is refused too (Oxen would return the identity); no wallet ever holds one.
    """
    _checked_secret(secret_key)
    public_key: bytes = sodium.crypto_scalarmult_ed25519_base_noclamp(secret_key)
    return public_key


def view_secret_from_spend_secret(spend_secret: bytes) -> bytes:
    """The wallet's view secret: `sc_reduce32(keccak256(spend_secret))` (account.cpp)."""
    _checked_secret(spend_secret)
    return hash_to_scalar(spend_secret)


@dataclass(frozen=True)
class WalletKeys:
    """The four keys behind a wallet's primary address (spend secret b, B = b·G, a, A = a·G)."""

    spend_secret: bytes
    spend_public: bytes
    view_secret: bytes
    view_public: bytes


def keys_from_spend_secret(spend_secret: bytes) -> WalletKeys:
    """Derive a deterministic wallet's keys from its spend secret, as the Oxen wallet does."""
    view_secret = view_secret_from_spend_secret(spend_secret)
    return WalletKeys(
        spend_secret=spend_secret,
        spend_public=public_key_from_secret(spend_secret),
        view_secret=view_secret,
        view_public=public_key_from_secret(view_secret),
    )


def _check_index(major: int, minor: int) -> None:
    if not (0 <= major < _UINT32_LIMIT and 0 <= minor < _UINT32_LIMIT):
        raise ValueError("subaddress indices are unsigned 32-bit integers")


def subaddress_scalar(view_secret: bytes, major: int, minor: int) -> int:
    """`m = Hs("SubAddr\\0" ‖ a ‖ le32(major) ‖ le32(minor))`, the offset of subaddress (major, minor)."""
    _check_index(major, minor)
    data = SUBADDRESS_DOMAIN + view_secret + major.to_bytes(4, "little") + minor.to_bytes(4, "little")
    return scalar_from_bytes(hash_to_scalar(data))


def subaddress_public_keys(spend_public: bytes, view_secret: bytes, major: int, minor: int) -> tuple[bytes, bytes]:
    """(D, C) = (B + m·G, a·D) for (major, minor) ≠ (0, 0): what a view-only wallet can derive.

    Index (0, 0) is the primary address itself, whose view key a·G cannot be derived from B and a
    this way; ask `keys_from_spend_secret` for it instead.
    """
    if major == 0 and minor == 0:
        raise ValueError("subaddress (0, 0) is the primary address")
    _checked_secret(view_secret)
    offset = subaddress_scalar(view_secret, major, minor)
    offset_point: bytes = sodium.crypto_scalarmult_ed25519_base_noclamp(scalar_to_bytes(offset))
    spend_key: bytes = sodium.crypto_core_ed25519_add(spend_public, offset_point)
    view_key: bytes = sodium.crypto_scalarmult_ed25519_noclamp(view_secret, spend_key)
    return spend_key, view_key


@dataclass(frozen=True)
class SubaddressKeys:
    """What signing from subaddress (major, minor) needs: its spend secret b + m and its keys D, C."""

    major: int
    minor: int
    spend_secret: bytes
    spend_public: bytes
    view_public: bytes


def derive_subaddress(spend_secret: bytes, view_secret: bytes, major: int, minor: int) -> SubaddressKeys:
    """The keys of subaddress (major, minor), as the wallet derives them (device_default.cpp).

    Index (0, 0) gives the primary address's keys (b, B, a·G), which is what `wallet2::sign` uses
    for it.
    """
    _check_index(major, minor)
    if major == 0 and minor == 0:
        keys = keys_from_spend_secret(spend_secret)
        return SubaddressKeys(0, 0, keys.spend_secret, keys.spend_public, keys.view_public)
    base_secret = _checked_secret(spend_secret)
    spend_public, view_public = subaddress_public_keys(
        public_key_from_secret(spend_secret), view_secret, major, minor
    )
    sub_secret = scalar_to_bytes((base_secret + subaddress_scalar(view_secret, major, minor)) % L)
    return SubaddressKeys(major, minor, sub_secret, spend_public, view_public)
