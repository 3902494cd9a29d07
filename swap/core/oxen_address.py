"""Oxen addresses: which network and kind a string is, and the keys inside it.

An address is `base58(varint(tag) ‖ spend_pub ‖ view_pub [‖ payment_id] ‖ checksum)`; the tag alone
says network and kind (`../shared/oxen-crypto.md` §1). Prefix letters overlap between kinds, so we
always classify by the decoded tag, never by the first characters.

`decode_address` accepts every Oxen network (mainnet, testnet, devnet, stagenet) and kind (standard,
integrated, subaddress): which networks a *use case* accepts is the caller's decision (real claims:
mainnet only). Other tags — a Monero address, say — are refused with a reason naming them.

Key validity defaults to the service's strict rule (prime-order subgroup); `strict=False` applies
oxen-core's own, laxer `check_key` (see `cryptonote_keys`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from swap.core import base58
from swap.core.cryptonote_keys import KEY_BYTES, key_problem

PAYMENT_ID_BYTES = 8


class Network(enum.StrEnum):
    MAINNET = "mainnet"
    TESTNET = "testnet"
    DEVNET = "devnet"
    STAGENET = "stagenet"


# What a primary address looks like on each network, for the hints people read and the API schema.
PRIMARY_PREFIX = {Network.MAINNET: "L", Network.TESTNET: "T", Network.DEVNET: "dV", Network.STAGENET: "ST"}
PRIMARY_LENGTH = {Network.MAINNET: 95, Network.TESTNET: 97, Network.DEVNET: 97, Network.STAGENET: 97}


class AddressKind(enum.StrEnum):
    STANDARD = "standard"
    INTEGRATED = "integrated"
    SUBADDRESS = "subaddress"


# oxen-core src/cryptonote_config.h (stable) and src/network_config/*.h (dev, for stagenet).
_TAGS: dict[tuple[Network, AddressKind], int] = {
    (Network.MAINNET, AddressKind.STANDARD): 114,
    (Network.MAINNET, AddressKind.INTEGRATED): 115,
    (Network.MAINNET, AddressKind.SUBADDRESS): 116,
    (Network.TESTNET, AddressKind.STANDARD): 156,
    (Network.TESTNET, AddressKind.INTEGRATED): 157,
    (Network.TESTNET, AddressKind.SUBADDRESS): 158,
    (Network.DEVNET, AddressKind.STANDARD): 3930,
    (Network.DEVNET, AddressKind.INTEGRATED): 4442,
    (Network.DEVNET, AddressKind.SUBADDRESS): 5850,
    (Network.STAGENET, AddressKind.STANDARD): 4888,
    (Network.STAGENET, AddressKind.INTEGRATED): 5272,
    (Network.STAGENET, AddressKind.SUBADDRESS): 5656,
}
_NETWORK_AND_KIND_BY_TAG = {tag: pair for pair, tag in _TAGS.items()}

# Tags people paste by mistake, named in the refusal so support staff can explain it.
_FOREIGN_TAGS = {
    18: "a Monero mainnet address",
    19: "a Monero mainnet integrated address",
    42: "a Monero mainnet subaddress",
    53: "a Monero testnet address",
    54: "a Monero testnet integrated address",
    63: "a Monero testnet subaddress",
    24: "a Monero stagenet address",
    25: "a Monero stagenet integrated address",
    36: "a Monero stagenet subaddress",
}

# 1- or 2-byte tag + 64 or 72 bytes of keys + 4 checksum bytes, in block base58.
ADDRESS_LENGTHS = (95, 97, 106, 108)


class InvalidAddress(ValueError):
    """The text is not a usable Oxen address; the message says why, on one short line."""


@dataclass(frozen=True)
class OxenAddress:
    """A decoded address. For a subaddress the keys are D and C; for an integrated one, B and A."""

    network: Network
    kind: AddressKind
    spend_public_key: bytes
    view_public_key: bytes
    payment_id: bytes | None = None

    def __post_init__(self) -> None:
        if len(self.spend_public_key) != KEY_BYTES or len(self.view_public_key) != KEY_BYTES:
            raise ValueError(f"address keys are {KEY_BYTES} bytes each")
        if (self.kind == AddressKind.INTEGRATED) != (self.payment_id is not None):
            raise ValueError("a payment id belongs to integrated addresses, and only to them")
        if self.payment_id is not None and len(self.payment_id) != PAYMENT_ID_BYTES:
            raise ValueError(f"a payment id is {PAYMENT_ID_BYTES} bytes")

    @property
    def tag(self) -> int:
        return _TAGS[(self.network, self.kind)]

    def describe(self) -> dict[str, str | None]:
        """The JSON-ready summary operators see (`manage.py oxen_address`)."""
        return {
            "network": self.network.value,
            "kind": self.kind.value,
            "spend_public_key": self.spend_public_key.hex(),
            "view_public_key": self.view_public_key.hex(),
            "payment_id": None if self.payment_id is None else self.payment_id.hex(),
        }


def network_tag(network: Network, kind: AddressKind) -> int:
    return _TAGS[(network, kind)]


def encode_address(address: OxenAddress) -> str:
    payload = address.spend_public_key + address.view_public_key + (address.payment_id or b"")
    return base58.encode_addr(address.tag, payload)


def _unknown_tag_reason(tag: int) -> str:
    foreign = _FOREIGN_TAGS.get(tag)
    return f"unknown network tag {tag}" + (f" ({foreign}, not Oxen)" if foreign else "")


def decode_address(text: str, *, strict: bool = True, check_keys: bool = True) -> OxenAddress:
    """Parse an Oxen address of any network and kind, or raise `InvalidAddress` saying why.

    Checks in order: not empty, every character in the base58 alphabet, a length an Oxen address
    can have, base58 blocks, checksum, tag varint, tag is an Oxen network's, payload size for the
    kind, and both keys valid (strict: prime-order subgroup; lax: oxen-core's `check_key`).
    The length check comes early only to give pasted garbage a useful reason; it refuses nothing
    the later checks would accept. `check_keys=False` leaves the keys to the caller: a verifier
    that checks the view key itself and whose signature check already refuses a bad spend key
    (each key check is a scalar multiplication, the larger part of reading an address).
    """
    if not text:
        raise InvalidAddress("address is empty")
    bad = base58.first_bad_character(text)
    if bad is not None:
        hint = " (this looks like an Ethereum address)" if text.startswith("0x") else ""
        raise InvalidAddress(f"{bad}{hint}")
    if len(text) not in ADDRESS_LENGTHS:
        raise InvalidAddress(f"bad length: {len(text)} characters (an Oxen address has 95, 97, 106 or 108)")
    try:
        tag, payload = base58.decode_addr(text)
    except base58.Base58Error as error:
        raise InvalidAddress(str(error)) from None
    if tag not in _NETWORK_AND_KIND_BY_TAG:
        raise InvalidAddress(_unknown_tag_reason(tag))
    network, kind = _NETWORK_AND_KIND_BY_TAG[tag]
    expected = 2 * KEY_BYTES + (PAYMENT_ID_BYTES if kind is AddressKind.INTEGRATED else 0)
    if len(payload) != expected:
        raise InvalidAddress(f"a {network} {kind} address carries {expected} bytes of keys, this one {len(payload)}")
    spend_key, view_key = payload[:KEY_BYTES], payload[KEY_BYTES : 2 * KEY_BYTES]
    for name, key in (("spend", spend_key), ("view", view_key)) if check_keys else ():
        problem = key_problem(key, strict=strict)
        if problem is not None:
            raise InvalidAddress(f"{name} key is {problem}")
    payment_id = payload[2 * KEY_BYTES :] if kind is AddressKind.INTEGRATED else None
    return OxenAddress(network, kind, spend_key, view_key, payment_id)
