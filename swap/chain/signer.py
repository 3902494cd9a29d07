"""The one key that signs L2 transactions: loading it, and making sure it never leaks.

The key comes from `L2_SIGNER_KEY` or from the file named by `L2_SIGNER_KEY_FILE` (a mounted
secret), never from the database. It only ever lives inside a `Signer`, whose repr and every error
message show the address, never the key, so neither logs nor tracebacks nor Sentry can carry it.

On every chain id but anvil's 31337, keys anyone can guess are refused: their funds on a real
chain are taken within seconds, and a root published with them is anyone's (issue 17, item 8):

- the first `DEV_ACCOUNTS_PER_MNEMONIC` (100) accounts, m/44'/60'/0'/0/0…99, of each public
  development mnemonic in `DEV_MNEMONICS` (anvil, Hardhat and Foundry share one; Ganache's
  deterministic one, whose account 0 is "Ganache's first key"; Truffle's `develop` one);
- every low-entropy key (`low_entropy_reason`): below 2^64 (private key 1, 0xdeadbeef…), within
  2^64 of the group order (their negatives), fewer than 12 distinct byte values (repeated
  patterns such as 0x1111… or 0xdeadbeef×8), or at most 32 or at least 224 of 256 bits set. A
  uniformly random key meets any of these with probability below 10^-25.

The mnemonic keys are derived (BIP-39 seed, BIP-32 path) on first use and kept as a set of
integers for the process: one PBKDF2 and two point multiplications per mnemonic, then an HMAC per
account, a few milliseconds in all (`bench/signer_load.py` measures it); a key on 31337 never
pays for it.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_keys import keys

ANVIL_CHAIN_ID = 31337

# Public development mnemonics, by the tools that print them on every developer's screen.
DEV_MNEMONICS = {
    "anvil/hardhat/foundry": "test test test test test test test test test test test junk",
    "ganache --deterministic": "myth like bonus scare over problem client lizard pioneer submit female collect",
    "truffle develop": "candy maple cake sugar pudding cream honey rich smooth crumble sweet treat",
}
DEV_ACCOUNTS_PER_MNEMONIC = 100
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_HARDENED = 0x80000000
SMALL_KEY_BOUND = 2**64
MIN_DISTINCT_BYTES = 12
MIN_BITS_SET, MAX_BITS_SET = 33, 223


def _child_private(key: int, chain_code: bytes, index: int) -> tuple[int, bytes]:
    """BIP-32 private child derivation (hardened when `index` ≥ 2^31)."""
    if index >= _HARDENED:
        data = b"\x00" + key.to_bytes(32, "big") + index.to_bytes(4, "big")
    else:
        data = _compressed_public(key) + index.to_bytes(4, "big")
    digest = hmac.new(chain_code, data, hashlib.sha512).digest()
    return (int.from_bytes(digest[:32], "big") + key) % SECP256K1_N, digest[32:]


def _compressed_public(key: int) -> bytes:
    return bytes(keys.PrivateKey(key.to_bytes(32, "big")).public_key.to_compressed_bytes())


def mnemonic_keys(mnemonic: str, count: int = DEV_ACCOUNTS_PER_MNEMONIC) -> list[int]:
    """The private keys of m/44'/60'/0'/0/0 … count-1 of a BIP-39 mnemonic (no passphrase)."""
    seed = hashlib.pbkdf2_hmac("sha512", mnemonic.encode(), b"mnemonic", 2048)
    digest = hmac.new(b"Bitcoin seed", seed, hashlib.sha512).digest()
    key, chain_code = int.from_bytes(digest[:32], "big"), digest[32:]
    for index in (44 + _HARDENED, 60 + _HARDENED, 0 + _HARDENED, 0):
        key, chain_code = _child_private(key, chain_code, index)
    parent = _compressed_public(key)  # every account below shares it: one multiplication, then HMACs
    found = []
    for index in range(count):
        digest = hmac.new(chain_code, parent + index.to_bytes(4, "big"), hashlib.sha512).digest()
        found.append((int.from_bytes(digest[:32], "big") + key) % SECP256K1_N)
    return found


@functools.cache
def development_keys() -> dict[int, str]:
    """{private key: "account i of the <tool> mnemonic"} for every refused mnemonic account."""
    return {
        key: f"account {index} of the {tool} mnemonic"
        for tool, mnemonic in DEV_MNEMONICS.items()
        for index, key in enumerate(mnemonic_keys(mnemonic))
    }


def low_entropy_reason(key: int) -> str | None:
    """Why a private key is guessable without any mnemonic, or None (see the module docstring)."""
    if key < SMALL_KEY_BOUND:
        return "smaller than 2^64"
    if SECP256K1_N - key <= SMALL_KEY_BOUND:
        return "within 2^64 of the group order"
    raw = key.to_bytes(32, "big")
    if len(set(raw)) < MIN_DISTINCT_BYTES:
        return f"only {len(set(raw))} distinct byte values"
    bits = key.bit_count()
    if not MIN_BITS_SET <= bits <= MAX_BITS_SET:
        return f"{bits} of 256 bits set"
    return None


class SignerKeyError(Exception):
    """The signer key is missing, malformed or refused. The message never contains the key."""


@dataclass(frozen=True)
class Signer:
    """A loaded signer key. Only `address` and `sign` are public; the account is hidden from repr."""

    address: str
    _account: LocalAccount = field(repr=False, compare=False)

    def __repr__(self) -> str:
        return f"Signer(address={self.address}, key=***)"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        # Pickling (Celery results, caches) would copy the key somewhere: refuse.
        raise TypeError("a Signer is never serialized")

    def sign(self, transaction: dict[str, Any]) -> tuple[bytes, bytes]:
        """Sign an EIP-1559 transaction dict; return (raw signed bytes, transaction hash)."""
        try:
            signed = self._account.sign_transaction(transaction)
        except Exception as error:  # eth-account complains about fields; the key is not one of them
            raise SignerKeyError(f"signing failed: {type(error).__name__}: {str(error)[:300]}") from None
        return bytes(signed.raw_transaction), bytes(signed.hash)


def _read_key_text(inline_setting: str, file_setting: str, what: str) -> str:
    inline = (getattr(settings, inline_setting, "") or "").strip()
    path = (getattr(settings, file_setting, "") or "").strip()
    if inline and path:
        raise SignerKeyError(f"set {inline_setting} or {file_setting}, not both")
    if path:
        try:
            return Path(path).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise SignerKeyError(f"cannot read {file_setting} {path}: {type(error).__name__}") from None
    if inline:
        return inline
    raise SignerKeyError(f"no {what} key: set {inline_setting} or {file_setting}")


def key_from_text(text: str, *, chain_id: int) -> Signer:
    """Parse a hex private key and apply the development-key rule for `chain_id`."""
    digits = text[2:] if text.startswith(("0x", "0X")) else text
    if len(digits) != 64 or any(c not in "0123456789abcdefABCDEF" for c in digits):
        raise SignerKeyError("the signer key is not 32 bytes of hex")
    try:
        account: LocalAccount = Account.from_key(bytes.fromhex(digits))
    except Exception:  # eth-account's messages may quote the input
        raise SignerKeyError("the signer key is not a valid secp256k1 private key") from None
    if chain_id != ANVIL_CHAIN_ID:
        _refuse_guessable(int(digits, 16), account.address, chain_id)
    return Signer(address=account.address, _account=account)


def _refuse_guessable(key: int, address: str, chain_id: int) -> None:
    known = development_keys().get(key)
    if known is not None:
        raise SignerKeyError(
            f"refusing a public development key ({known}, {address}) on chain id {chain_id}: "
            "it is only allowed on 31337"
        )
    reason = low_entropy_reason(key)
    if reason is not None:
        raise SignerKeyError(
            f"refusing a guessable signer key ({address}: {reason}) on chain id {chain_id}: "
            "it is only allowed on 31337; use a key from a secure random source"
        )


def load_key(inline_setting: str, file_setting: str, *, what: str) -> Signer:
    """Load the key named by a pair of settings (`X_KEY` inline, or `X_KEY_FILE`) for `L2_CHAIN_ID`."""
    return key_from_text(_read_key_text(inline_setting, file_setting, what), chain_id=settings.L2_CHAIN_ID)


def load_signer() -> Signer:
    """Load the service's signer (the publisher) for `L2_CHAIN_ID`, or raise `SignerKeyError` saying why."""
    return load_key("L2_SIGNER_KEY", "L2_SIGNER_KEY_FILE", what="signer")


def load_guardian() -> Signer:
    """Load the watchdog's key (guardian and pauser), which the worker never holds."""
    return load_key("WATCHDOG_SIGNER_KEY", "WATCHDOG_SIGNER_KEY_FILE", what="watchdog")
