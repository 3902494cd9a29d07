"""The one key that signs L2 transactions: loading it, and making sure it never leaks.

The key comes from `L2_SIGNER_KEY` or from the file named by `L2_SIGNER_KEY_FILE` (a mounted
secret), never from the database. It only ever lives inside a `Signer`, whose repr and every error
message show the address, never the key, so neither logs nor tracebacks nor Sentry can carry it.

Anvil's ten development accounts (derived from the public mnemonic "test test … junk") are
refused on every chain id except anvil's 31337: their keys are on every developer's screen, and
funds sent to them on a real chain are taken within seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from eth_account import Account
from eth_account.signers.local import LocalAccount

ANVIL_CHAIN_ID = 31337

# Addresses of m/44'/60'/0'/0/0 … 9 of "test test test test test test test test test test test junk";
# tests/chain/test_signer.py derives them again and compares them with anvil's own accounts.
ANVIL_DEV_ADDRESSES = frozenset(
    {
        "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
        "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
        "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
        "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
        "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
        "0x976EA74026E726554dB657fA54763abd0C3a0aa9",
        "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955",
        "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f",
        "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
    }
)


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
    if account.address in ANVIL_DEV_ADDRESSES and chain_id != ANVIL_CHAIN_ID:
        raise SignerKeyError(
            f"refusing anvil's public development key ({account.address}) on chain id {chain_id}: "
            "it is only allowed on 31337"
        )
    return Signer(address=account.address, _account=account)


def load_key(inline_setting: str, file_setting: str, *, what: str) -> Signer:
    """Load the key named by a pair of settings (`X_KEY` inline, or `X_KEY_FILE`) for `L2_CHAIN_ID`."""
    return key_from_text(_read_key_text(inline_setting, file_setting, what), chain_id=settings.L2_CHAIN_ID)


def load_signer() -> Signer:
    """Load the service's signer (the publisher) for `L2_CHAIN_ID`, or raise `SignerKeyError` saying why."""
    return load_key("L2_SIGNER_KEY", "L2_SIGNER_KEY_FILE", what="signer")


def load_guardian() -> Signer:
    """Load the watchdog's key (guardian and pauser), which the worker never holds."""
    return load_key("WATCHDOG_SIGNER_KEY", "WATCHDOG_SIGNER_KEY_FILE", what="watchdog")
