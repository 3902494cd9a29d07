"""Deterministic demo wallets: real Oxen mainnet addresses from fixed secrets, never real funds.

The bundled history (`history.py`) names these wallets as operators and contributors, and the
demo registers some of them with genuine `SigV1` signatures, so the same index always means the
same address and the same key. Anyone can derive the secrets from this file: they are for a
local demo only.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from swap.core.cryptonote_keys import hash_to_scalar, keys_from_spend_secret
from swap.core.eth_address import to_checksum_address
from swap.core.keccak import keccak256
from swap.core.oxen_address import AddressKind, Network, OxenAddress, encode_address
from swap.core.oxen_signature import sign_message

WALLET_DOMAIN = b"oxen-swap demo wallet\x00"
ETH_DOMAIN = b"oxen-swap demo eth\x00"

# anvil's development accounts #2..#5: unlocked on the local node, so a demo holder can send its
# own claim transaction. #0 and #1 are left to tooling and to the service's signer.
ANVIL_HOLDER_ACCOUNTS = (
    "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
    "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
    "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
    "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
)


@dataclass(frozen=True)
class DemoWallet:
    """One demo Oxen wallet: its index, primary address and spend secret."""

    index: int
    address: str
    spend_secret: bytes

    def sign(self, text: str) -> str:
        """What the CLI wallet's `sign_value <text>` prints: a SigV1 signature by the spend key."""
        return sign_message(text.encode(), self.spend_secret)


@functools.lru_cache(maxsize=4096)
def demo_wallet(index: int) -> DemoWallet:
    """The demo wallet number `index` (a mainnet primary address starting with L)."""
    secret = hash_to_scalar(WALLET_DOMAIN + str(index).encode())
    keys = keys_from_spend_secret(secret)
    address = encode_address(OxenAddress(Network.MAINNET, AddressKind.STANDARD, keys.spend_public, keys.view_public))
    return DemoWallet(index, address, secret)


def demo_eth_address(index: int) -> str:
    """A deterministic EIP-55 ETH address for a demo holder without an anvil account (no key)."""
    return to_checksum_address(keccak256(ETH_DOMAIN + str(index).encode())[-20:])
