"""Real Oxen wallets for tests: fresh keys, real addresses, real SigV1 signatures from the core.

Nothing here is mocked: addresses come from `swap.core.oxen_address.encode_address` and
signatures from `swap.core.oxen_signature.sign_message`, exactly what the service verifies.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from swap.core.cryptonote_keys import (
    WalletKeys,
    derive_subaddress,
    keys_from_spend_secret,
    random_scalar,
    scalar_to_bytes,
)
from swap.core.eth_address import to_checksum_address
from swap.core.oxen_address import AddressKind, Network, OxenAddress, encode_address
from swap.core.oxen_signature import sign_message


@dataclass
class Wallet:
    """One Oxen wallet: its primary address and the `sign_value` it would print."""

    network: Network = Network.MAINNET
    keys: WalletKeys = field(default_factory=lambda: keys_from_spend_secret(scalar_to_bytes(random_scalar())))

    @property
    def address(self) -> str:
        return encode_address(
            OxenAddress(self.network, AddressKind.STANDARD, self.keys.spend_public, self.keys.view_public)
        )

    def sign(self, text: str) -> str:
        """What `sign_value <text>` prints after `Signature:` (single word; the CLI re-joins words)."""
        return sign_message(text.encode(), self.keys.spend_secret)

    def subaddress(self, major: int = 0, minor: int = 1) -> tuple[str, bytes]:
        """A subaddress and its spend secret (the wallet signs with b + m for it)."""
        sub = derive_subaddress(self.keys.spend_secret, self.keys.view_secret, major, minor)
        text = encode_address(OxenAddress(self.network, AddressKind.SUBADDRESS, sub.spend_public, sub.view_public))
        return text, sub.spend_secret

    def integrated(self, payment_id: bytes = b"\x01" * 8) -> str:
        return encode_address(OxenAddress(
            self.network, AddressKind.INTEGRATED, self.keys.spend_public, self.keys.view_public, payment_id
        ))


def new_eth_address() -> str:
    """A random ETH address in EIP-55 form (with letters of both cases, almost always)."""
    return to_checksum_address(secrets.token_bytes(20))


def registration(wallet: Wallet | None = None, eth: str | None = None, *, signed_at: int | None = None,
                 signed_text: str | None = None) -> dict[str, object]:
    """A valid API/form payload: `sign_value <eth>` (or `<eth> <signed_at>`) by the wallet."""
    wallet = wallet or Wallet()
    eth = eth or new_eth_address()
    text = signed_text if signed_text is not None else (eth if signed_at is None else f"{eth} {signed_at}")
    payload: dict[str, object] = {"oxen_address": wallet.address, "eth_address": eth, "signature": wallet.sign(text)}
    if signed_at is not None:
        payload["signed_at"] = signed_at
    return payload
