"""The wallet ownership proof of a registration, in terms a person can act on (SPEC §2).

The cryptography lives in `swap.core` (address codec, SigV1, Ed25519); this module decides what a
*registration* accepts and turns every refusal into a `FieldProblem` whose message says what to
do. No Django here, so the rules can be read and tested on their own.

Which text was signed: `sign_value <eth address>` signs the address exactly as the person typed it,
and people paste it into our form in another case than they signed it. We therefore try every
textual form of the same 20 bytes — as typed, trimmed, lowercase, EIP-55, each with and without
`0x` — and record which one matched (ours). With a signed time (the replay rule) each form is
followed by one space and the decimal unix time, because the CLI re-joins words with single spaces.
"""

from __future__ import annotations

from dataclasses import dataclass

from swap.core import registration_text
from swap.core.eth_address import EthAddressError, parse_eth_address_with_checksum
from swap.core.keccak import keccak256
from swap.core.oxen_address import (
    PRIMARY_LENGTH,
    PRIMARY_PREFIX,
    AddressKind,
    InvalidAddress,
    Network,
    OxenAddress,
    decode_address,
)
from swap.core.oxen_signature import InvalidSignature, check_signature, decode_signature
from swap.core.service_node_keys import verify_service_node_signature_hex
from swap.registrations.exceptions import FieldProblem
from swap.registrations.models import MatchedForm

_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")

# What a primary address of each network looks like, for messages.


def _primary_hint(network: Network) -> str:
    return (
        f"use your wallet's primary address: it starts with {PRIMARY_PREFIX[network]} and is "
        f"{PRIMARY_LENGTH[network]} characters long (CLI: the `address` command, first line, index 0)"
    )


def check_oxen_address(text: str, network: Network) -> tuple[OxenAddress | None, FieldProblem | None]:
    """Decode a submitted Oxen address; refuse other networks, subaddresses and integrated ones."""
    if not text:
        return None, FieldProblem("required", "Enter the Oxen address you stake from or hold your OXEN in.")
    try:
        decoded = decode_address(text)
    except InvalidAddress as error:
        return None, _address_problem(text, str(error), network)
    if decoded.network is not network:
        return None, FieldProblem(
            "wrong_network",
            f"This is a {decoded.network.value} address; this service accepts {network.value} addresses only — "
            f"{_primary_hint(network)}.",
        )
    if decoded.kind is AddressKind.SUBADDRESS:
        return None, FieldProblem("subaddress", f"This is a subaddress — {_primary_hint(network)}.")
    if decoded.kind is AddressKind.INTEGRATED:
        return None, FieldProblem(
            "integrated",
            f"This is an integrated address (it contains a payment ID) — {_primary_hint(network)}.",
        )
    return decoded, None


def _address_problem(text: str, reason: str, network: Network) -> FieldProblem:
    """Name the mistake behind a core decoding refusal (the core's reason is kept in the message)."""
    if text.startswith("0x"):
        return FieldProblem(
            "not_oxen", "This is an Ethereum address; enter your Oxen address here and the 0x… address below."
        )
    if reason.startswith("bad character"):
        return FieldProblem(
            "bad_character",
            f"This is not an Oxen address ({reason}). Copy the address from your wallet again, without spaces.",
        )
    if reason.startswith("bad length"):
        return FieldProblem(
            "bad_length",
            f"This Oxen address has the wrong length ({len(text)} characters); a primary {network.value} address has "
            f"{PRIMARY_LENGTH[network]}. Copy the whole address from your wallet again.",
        )
    if reason.startswith("checksum mismatch"):
        return FieldProblem(
            "checksum",
            "This Oxen address contains a typo (its checksum does not match). Copy it from your wallet again "
            "instead of typing it.",
        )
    if reason.startswith("unknown network tag"):
        return FieldProblem("not_oxen", f"This is not an Oxen address ({reason}).")
    return FieldProblem("invalid", f"This Oxen address cannot be used ({reason}). Copy it from your wallet again.")


def check_eth_address(text: str) -> tuple[tuple[bytes, str] | None, FieldProblem | None]:
    """Parse the ETH address (surrounding whitespace ignored); return (20 bytes, EIP-55 form)."""
    cleaned = text.strip()
    if not cleaned:
        return None, FieldProblem("required", "Enter the Ethereum address (0x…) that should receive your SESH.")
    try:
        return parse_eth_address_with_checksum(cleaned), None
    except EthAddressError:
        pass
    if len(cleaned) == 40 and _is_hex(cleaned):
        return None, FieldProblem(
            "missing_prefix", "An Ethereum address starts with 0x: enter 0x followed by these 40 characters."
        )
    if len(cleaned) == 42 and cleaned.startswith("0x") and _is_hex(cleaned[2:]):
        return None, FieldProblem(
            "checksum",
            "This Ethereum address has mixed upper and lower case but its EIP-55 checksum is wrong, so it "
            "probably contains a typo. Copy it again from your Ethereum wallet.",
        )
    return None, FieldProblem(
        "invalid", "An Ethereum address is 0x followed by 40 hexadecimal characters (0-9, a-f). Copy it again."
    )


def _is_hex(text: str) -> bool:
    return bool(text) and all(char in _HEX_DIGITS for char in text)


def check_signature_text(text: str) -> tuple[bytes | None, FieldProblem | None]:
    """Decode a pasted `SigV1…` signature (surrounding whitespace stripped: harmless, ours)."""
    cleaned = text.strip()
    if not cleaned:
        return None, FieldProblem(
            "required", "Paste the signature (it starts with SigV1) that your Oxen wallet printed."
        )
    if cleaned.startswith("SigV2"):
        return None, FieldProblem(
            "sigv2",
            "This is a SigV2 signature, which Monero wallets make; Oxen wallets make SigV1. Sign with your Oxen "
            "wallet: `sign_value <your eth address>`.",
        )
    try:
        return decode_signature(cleaned), None
    except InvalidSignature as error:
        return None, FieldProblem(
            "malformed",
            f"This is not a complete Oxen wallet signature ({error}). Copy the whole SigV1… line the wallet "
            "printed after `Signature:`.",
        )


@dataclass(frozen=True)
class SignedForm:
    """The form of the ETH address that the signature verified over, and the exact signed text."""

    form: MatchedForm
    message: str


def message_forms(typed: str, checksummed: str, signed_at: int | None = None) -> list[SignedForm]:
    """Every text the person may have signed for this ETH address, most likely first, no duplicates."""
    return [SignedForm(MatchedForm(form), message) for form, message in registration_text.message_forms(
        typed, checksummed, signed_at)]


def find_signed_form(spend_public_key: bytes, signature: bytes, forms: list[SignedForm]) -> SignedForm | None:
    """The first form the signature verifies over with this spend key, or None."""
    for candidate in forms:
        if check_signature(keccak256(candidate.message.encode()), spend_public_key, signature):
            return candidate
    return None


def check_node_proof(pubkey_hex: str, signature_hex: str, message: str) -> FieldProblem | None:
    """A service node's Ed25519 signature over the same text the wallet signed (ours)."""
    result = verify_service_node_signature_hex(pubkey_hex, message.encode(), signature_hex)
    if result:
        return None
    return FieldProblem(
        "node_signature",
        f"The service node signature does not verify ({result.reason}). Sign exactly `{message}` with the "
        "node's Ed25519 key (key_ed25519), and paste its public key and the signature in hex.",
    )
