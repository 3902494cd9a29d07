"""The shape of each value the API takes, as JSON Schema: what a schema can say about it.

A schema can state an alphabet and a length; it cannot state a checksum (Oxen addresses end in
4 bytes of Keccak, mixed-case ETH addresses carry EIP-55) nor whether a signature verifies, so
those are said in words (`description`) and checked by the service, which answers 400 with a
reason. Oxen addresses are the configured network's (`OXEN_NETWORK`): the shapes are built when
the schema is, by `swap.api.schema`, wherever a field or parameter names one in `x-value`.

Where the service ignores surrounding whitespace (what people paste into a registration), the
pattern allows it too, so the schema refuses exactly what the server refuses on shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings

from swap.core.oxen_address import PRIMARY_LENGTH, PRIMARY_PREFIX, Network
from swap.core.oxen_signature import SIGNATURE_LENGTH, SIGNATURE_PREFIX

BASE58 = "1-9A-HJ-NP-Za-km-z"  # swap.core.base58.ALPHABET as a character class (a test holds them equal)
OXEN_CHECKSUM = (
    "Base58 of the network tag, both public keys and a 4-byte Keccak checksum; the checksum, the network and "
    "the kind (a primary address, not a subaddress or an integrated address) are checked by the server."
)
ETH_CHECKSUM = (
    "A mixed-case address must carry a valid EIP-55 checksum (all-lowercase or all-uppercase ones carry none), "
    "which is checked by the server."
)
SIGNATURE_WORDS = (
    "What `sign_value <eth address>` prints in the Oxen wallet of this address: `SigV1` and 64 bytes in base58. "
    "That it verifies (made by this address's spend key, over this ETH address in any of its textual forms, or "
    "over `<eth address> <signed_at>`) is checked by the server."
)


def _exact(pattern: str, length: int) -> dict[str, Any]:
    return {"type": "string", "pattern": f"^{pattern}$", "minLength": length, "maxLength": length}


def oxen_address() -> dict[str, Any]:
    network = Network(settings.OXEN_NETWORK)
    prefix, length = PRIMARY_PREFIX[network], PRIMARY_LENGTH[network]
    return {**_exact(f"{prefix}[{BASE58}]{{{length - len(prefix)}}}", length),
            "description": f"A primary {network.value} Oxen address ({length} characters, starts with {prefix}). "
            + OXEN_CHECKSUM}


def eth_address() -> dict[str, Any]:
    return {**_exact("0x[0-9a-fA-F]{40}", 42), "description": "0x and 40 hex digits. " + ETH_CHECKSUM}


def signature() -> dict[str, Any]:
    body = SIGNATURE_LENGTH - len(SIGNATURE_PREFIX)
    return {**_exact(f"{SIGNATURE_PREFIX}[{BASE58}]{{{body}}}", SIGNATURE_LENGTH), "description": SIGNATURE_WORDS}


def hex_or_blank(size: int, what: str) -> dict[str, Any]:
    return {"type": "string", "pattern": f"^([0-9a-fA-F]{{{2 * size}}})?$", "maxLength": 2 * size,
            "description": f"{what}: {2 * size} hex digits, or empty."}


def padded(shape: dict[str, Any], max_length: int | None = None) -> dict[str, Any]:
    """The same value with any surrounding whitespace, which the server strips before checking it."""
    pattern = shape["pattern"].removeprefix("^").removesuffix("$")
    result = {key: value for key, value in shape.items() if key not in ("pattern", "minLength", "maxLength")}
    result["pattern"] = rf"^\s*{pattern}\s*$"
    result["minLength"] = shape.get("minLength", 0)
    if max_length is not None:
        result["maxLength"] = max_length
    result["description"] = shape["description"] + " Surrounding whitespace is ignored."
    return result


# The names fields and parameters use in `x-value`, and how to build each shape.
SHAPES: dict[str, Callable[[], dict[str, Any]]] = {
    "oxen-address": oxen_address,
    "eth-address": eth_address,
    "signature": signature,
    "node-pubkey": lambda: hex_or_blank(32, "The service node's Ed25519 public key"),
    "node-signature": lambda: hex_or_blank(64, "The service node's Ed25519 signature of the same signed text"),
}


def shape(name: str, *, whitespace: bool = False, max_length: int | None = None) -> dict[str, Any]:
    built = SHAPES[name]()
    return padded(built, max_length) if whitespace else built
