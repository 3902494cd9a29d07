"""Service-node Ed25519 signatures: plain RFC 8032, through libsodium (PyNaCl).

A service node's `key_ed25519` signs uptime proofs and Session registrations with libsodium's
`crypto_sign_detached`, and since Loki 8 the node's public key *is* that Ed25519 key
(`../shared/oxen-crypto.md` §4). Oxen ships no command that signs an arbitrary message with it, so
an operator signs with their own tooling (e.g. PyNaCl `SigningKey(seed)`); we verify with
`VerifyKey.verify`. This proves control of a node, not of the staking wallet's funds.

Never use this for wallet signatures: SigV1 is a different scheme (Keccak, (c, r)), see
`oxen_signature`.
"""

from __future__ import annotations

import binascii

from nacl.exceptions import BadSignatureError
from nacl.exceptions import ValueError as SodiumValueError
from nacl.signing import VerifyKey

from swap.core.verification import VerificationResult

PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64


def verify_service_node_signature(public_key: bytes, message: bytes, signature: bytes) -> VerificationResult:
    """RFC 8032 Ed25519 verification of a detached `signature` over `message` (exact bytes)."""
    if len(public_key) != PUBLIC_KEY_BYTES:
        return VerificationResult.failed(f"service node key must be {PUBLIC_KEY_BYTES} bytes, got {len(public_key)}")
    if len(signature) != SIGNATURE_BYTES:
        return VerificationResult.failed(f"Ed25519 signature must be {SIGNATURE_BYTES} bytes, got {len(signature)}")
    try:
        VerifyKey(public_key).verify(message, signature)
    except BadSignatureError:
        return VerificationResult.failed("Ed25519 signature does not match this message and service node key")
    except SodiumValueError:
        return VerificationResult.failed("service node key is not a usable Ed25519 public key")
    return VerificationResult.passed()


def verify_service_node_signature_hex(public_key_hex: str, message: bytes, signature_hex: str) -> VerificationResult:
    """The same, with key and signature in hex as oxend's RPC and operators write them."""
    try:
        public_key = bytes.fromhex(public_key_hex)
    except (ValueError, binascii.Error):
        return VerificationResult.failed("service node key is not hex")
    try:
        signature = bytes.fromhex(signature_hex)
    except (ValueError, binascii.Error):
        return VerificationResult.failed("Ed25519 signature is not hex")
    return verify_service_node_signature(public_key, message, signature)
