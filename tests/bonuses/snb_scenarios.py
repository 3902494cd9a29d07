"""Building blocks for the Service Node Bonus tests: results, wallets, registrations.

Imported by the test modules of this directory (pytest puts it on `sys.path`); the name is unique
so it never shadows an application module.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from swap.core.cryptonote_keys import hash_to_scalar, keys_from_spend_secret
from swap.core.oxen_address import AddressKind, Network, OxenAddress, encode_address
from swap.core.oxen_signature import sign_message
from swap.registrations.services import Submission, submit_registration

OXEN = 10**9
ETH_1 = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
ETH_2 = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"
ETH_3 = "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB"


def pubkey(name: str) -> str:
    return hashlib.sha256(f"node:{name}".encode()).hexdigest()


def block_hash(height: int, fork: str = "") -> str:
    return hashlib.sha256(f"block:{height}:{fork}".encode()).hexdigest()


def node(name: str, *contributors: tuple[str, int], active: bool = True, funded: bool | None = None,
         unlock: int = 0) -> dict[str, Any]:
    """A get_service_nodes entry; contributors are (address, whole OXEN), the first is the operator."""
    return {
        "service_node_pubkey": pubkey(name),
        "active": active,
        "funded": active if funded is None else funded,
        "requested_unlock_height": unlock,
        "registration_height": 900,
        "state_height": 900,
        "operator_address": contributors[0][0] if contributors else "",
        "staking_requirement": 15_000 * OXEN,
        "contributors": [
            {"address": address, "amount": amount * OXEN, "reserved": amount * OXEN,
             "locked_contributions": [{"key_image": hashlib.sha256(f"{name}:{address}".encode()).hexdigest(),
                                       "amount": amount * OXEN}]}
            for address, amount in contributors
        ],
    }


def result(height: int, *nodes: dict[str, Any], fork: str = "") -> dict[str, Any]:
    return {"height": height, "block_hash": block_hash(height, fork), "service_node_states": list(nodes),
            "status": "OK"}


class Wallet:
    """A deterministic Oxen mainnet wallet (never a real one): primary address and spend secret."""

    def __init__(self, name: str) -> None:
        self.secret = hash_to_scalar(f"snb-test-wallet:{name}".encode())
        keys = keys_from_spend_secret(self.secret)
        self.address = encode_address(
            OxenAddress(Network.MAINNET, AddressKind.STANDARD, keys.spend_public, keys.view_public)
        )

    def register(self, eth_address: str, *, at: datetime | None = None) -> None:
        """Register through the real service with a real SigV1 signature over the ETH address."""
        signature = sign_message(eth_address.encode(), self.secret)
        submit_registration(Submission(self.address, eth_address, signature), ip="127.0.0.1", actor="test", now=at)
