"""Ethereum addresses: strict parsing and EIP-55 checksums, without web3.

Distribution trees and registrations take addresses typed or pasted by people, so the parser is
strict: `0x` followed by exactly 40 hex digits, nothing trimmed. A mixed-case address must carry a
valid EIP-55 checksum, because a single mistyped digit in an all-lowercase address is undetectable
but in a checksummed one it almost always breaks the checksum; all-lowercase and all-uppercase
digits are accepted as "no checksum given", as EIP-55 specifies.

The checksum is computed with whole-string operations instead of a 40-step character loop: a
distribution of a million accounts checksums a million addresses, and the loop would cost more than
the Merkle tree itself.
"""

from binascii import hexlify

from swap.core.keccak import keccak256

ADDRESS_LENGTH = 20
ZERO_ADDRESS = bytes(ADDRESS_LENGTH)

_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
# Per hex character of the address hash: 0x20 where the nibble is >= 8 (that letter is upper-cased).
_HIGH_NIBBLE = bytes.maketrans(b"0123456789abcdef", b"\x00" * 8 + b"\x20" * 8)
# Per hex character of the lowercase address: 0x20 where it is a letter (digits have no case).
_LETTERS = bytes.maketrans(b"0123456789abcdef", b"\x00" * 10 + b"\x20" * 6)


class EthAddressError(ValueError):
    """The text is not an Ethereum address this service accepts; the message says why."""


def to_checksum_address(address: bytes) -> str:
    """Return the EIP-55 form (`0x` + mixed-case hex) of a 20-byte address."""
    if type(address) is not bytes or len(address) != ADDRESS_LENGTH:
        raise EthAddressError("an address is exactly 20 bytes")
    lower = hexlify(address)
    # Upper-casing an ASCII letter clears bit 0x20; build that mask for all 40 characters at once.
    mask = int.from_bytes(hexlify(keccak256(lower)[:ADDRESS_LENGTH]).translate(_HIGH_NIBBLE))
    mask &= int.from_bytes(lower.translate(_LETTERS))
    return "0x" + (int.from_bytes(lower) ^ mask).to_bytes(2 * ADDRESS_LENGTH).decode("ascii")


def parse_eth_address_with_checksum(text: str) -> tuple[bytes, str]:
    """Parse `text` strictly; return the 20 address bytes and the EIP-55 form.

    One call does both because callers that store or publish an address need the canonical text,
    and validating a mixed-case address already computes it.
    """
    if not isinstance(text, str):
        raise EthAddressError(f"an address must be text, not {type(text).__name__}")
    if len(text) != 2 + 2 * ADDRESS_LENGTH or not text.startswith("0x"):
        raise EthAddressError(f"{text!r} is not 0x followed by 40 hex digits")
    digits = text[2:]
    if not _HEX_DIGITS.issuperset(digits):
        raise EthAddressError(f"{text!r} is not 0x followed by 40 hex digits")
    raw = bytes.fromhex(digits)
    checksummed = to_checksum_address(raw)
    if digits != checksummed[2:] and digits != digits.lower() and digits != digits.upper():
        raise EthAddressError(f"{text!r} has mixed case but fails the EIP-55 checksum (expected {checksummed})")
    return raw, checksummed


def parse_eth_address(text: str) -> bytes:
    """Parse `text` strictly (see the module docstring) and return the 20 address bytes."""
    return parse_eth_address_with_checksum(text)[0]


def normalize_eth_address(text: str) -> str:
    """Parse `text` strictly and return its EIP-55 form, the one the service stores and shows."""
    return parse_eth_address_with_checksum(text)[1]
