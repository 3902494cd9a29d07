"""Real Oxen addresses for the simulated wallet, derived from a secret seed.

The simulated wallet hands out genuine subaddresses (tag 116 on mainnet, keys D = B + m·G and
C = a·D), so code under test can decode and check them exactly as it will check real ones. All
derivation lives in `swap.core.cryptonote_keys` / `swap.core.oxen_address`; this module only
picks the keys and caches the results (a derivation costs a few scalar multiplications).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from swap.core.cryptonote_keys import hash_to_scalar, keys_from_spend_secret, subaddress_public_keys
from swap.core.oxen_address import AddressKind, Network, OxenAddress, encode_address

# localdev uses devnet's address tags (oxen-crypto.md §1.2).
_NETWORK_OF_NETTYPE = {
    "mainnet": Network.MAINNET,
    "testnet": Network.TESTNET,
    "devnet": Network.DEVNET,
    "stagenet": Network.STAGENET,
    "localdev": Network.DEVNET,
}


@dataclass(frozen=True)
class WalletKeys:
    """The simulated wallet's secret spend key and the network its addresses are for."""

    spend_secret: bytes
    network: Network

    @classmethod
    def from_seed(cls, seed: bytes, nettype: str) -> WalletKeys:
        """Deterministic keys: the same seed always gives the same wallet (never a real one)."""
        return cls(hash_to_scalar(b"oxen-simulator wallet\x00" + seed), _NETWORK_OF_NETTYPE[nettype])


@functools.lru_cache(maxsize=65536)
def derive_address(keys: WalletKeys, major: int, minor: int) -> str:
    """The wallet's address for (major, minor): the primary address for (0, 0), else a subaddress."""
    wallet = keys_from_spend_secret(keys.spend_secret)
    if major == 0 and minor == 0:
        address = OxenAddress(keys.network, AddressKind.STANDARD, wallet.spend_public, wallet.view_public)
    else:
        spend, view = subaddress_public_keys(wallet.spend_public, wallet.view_secret, major, minor)
        address = OxenAddress(keys.network, AddressKind.SUBADDRESS, spend, view)
    return encode_address(address)
