"""SigV1 wallet-signature verifications per second against PyNaCl's Ed25519 `VerifyKey.verify`.

Goal (issue 3): SigV1 at no less than half of Ed25519's rate, both measured in the same run.
Both sides verify 200 distinct keys and messages (an Ethereum address string, as the swap portal
had holders sign), keys already parsed: `VerifyKey` objects for Ed25519, spend public keys for SigV1
(`verify_message_with_key`: signature text decoding, Keccak and the curve check, strict keys).
The address-string path (`verify_message`, which also decodes and strictly validates both address
keys) is printed for information. Rounds interleave the two schemes; the best round counts.

Why two backends (`oxen_signature.COMMITMENT_BACKEND`, printed first): Ed25519 verification is
one variable-time double scalar multiplication inside libsodium. libsodium exposes no such
primitive for arbitrary scalars, so with libsodium alone SigV1 needs
`crypto_scalarmult_ed25519_noclamp` (constant-time, and it re-checks the key's subgroup: two
scalar multiplications' worth), a base-point multiplication and a point addition. The bench times
those three calls alone ("libsodium floor"): they cost about 2.2 Ed25519 verifications, so the
libsodium backend cannot reach 0.5 whatever the Python around it does. The "native" backend
(`swap/core/native/`, built by `make install`) computes c·A + r·G and the same subgroup check in
one variable-time pass that shares A's doublings; it is the one that meets the goal.

Run: `.venv/bin/python bench/signatures.py [--rounds N]`.
"""

import argparse
import secrets
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nacl import bindings as sodium  # noqa: E402
from nacl.signing import SigningKey, VerifyKey  # noqa: E402

from swap.core.cryptonote_keys import keys_from_spend_secret, random_scalar, scalar_to_bytes  # noqa: E402
from swap.core.oxen_address import AddressKind, Network, OxenAddress, encode_address  # noqa: E402
from swap.core.oxen_signature import (  # noqa: E402
    COMMITMENT_BACKEND,
    decode_signature,
    sign_message,
    verify_message,
    verify_message_with_key,
)

ITEMS = 200


def messages() -> list[bytes]:
    return [("0x" + secrets.token_hex(20)).encode("ascii") for _ in range(ITEMS)]


def sigv1_items(texts: list[bytes]) -> list[tuple[bytes, str, bytes, str]]:
    """(message, address, spend public key, signature) for ITEMS fresh mainnet wallets."""
    items = []
    for message in texts:
        keys = keys_from_spend_secret(scalar_to_bytes(random_scalar()))
        address = encode_address(
            OxenAddress(Network.MAINNET, AddressKind.STANDARD, keys.spend_public, keys.view_public)
        )
        items.append((message, address, keys.spend_public, sign_message(message, keys.spend_secret)))
    return items


def ed25519_items(texts: list[bytes]) -> list[tuple[bytes, VerifyKey, bytes]]:
    items = []
    for message in texts:
        signing_key = SigningKey.generate()
        items.append((message, signing_key.verify_key, signing_key.sign(message).signature))
    return items


def signature_scalars(signature: str) -> tuple[bytes, bytes]:
    raw = decode_signature(signature)
    return raw[:32], raw[32:]


def rate(run: Callable[[], None]) -> float:
    started = time.perf_counter()
    run()
    return ITEMS / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds

    texts = messages()
    sigv1, ed25519 = sigv1_items(texts), ed25519_items(texts)

    def run_sigv1_key() -> None:
        for message, _, spend_key, signature in sigv1:
            if not verify_message_with_key(message, spend_key, signature):
                raise SystemExit("a SigV1 signature failed to verify")

    def run_sigv1_address() -> None:
        for message, address, _, signature in sigv1:
            if not verify_message(address, message, signature):
                raise SystemExit("a SigV1 signature failed to verify")

    curve_inputs = [(signature_scalars(signature), spend_key) for _, _, spend_key, signature in sigv1]

    def run_libsodium_floor() -> None:
        for (c_bytes, r_bytes), spend_key in curve_inputs:
            sodium.crypto_core_ed25519_add(
                sodium.crypto_scalarmult_ed25519_noclamp(c_bytes, spend_key),
                sodium.crypto_scalarmult_ed25519_base_noclamp(r_bytes),
            )

    def run_ed25519() -> None:
        for message, verify_key, signature in ed25519:
            verify_key.verify(message, signature)  # raises BadSignatureError on failure

    runs = {"ed25519": run_ed25519, "sigv1_key": run_sigv1_key, "sigv1_address": run_sigv1_address}
    runs["floor"] = run_libsodium_floor
    best = dict.fromkeys(runs, 0.0)
    for _ in range(rounds):
        for name, run in runs.items():
            best[name] = max(best[name], rate(run))

    ratio = best["sigv1_key"] / best["ed25519"]
    print(f"SigV1 commitment backend: {COMMITMENT_BACKEND}")
    print(f"{ITEMS} distinct keys and messages, best of {rounds} interleaved rounds")
    print(f"Ed25519 VerifyKey.verify:             {best['ed25519']:8,.0f} verifications/s")
    print(f"SigV1 verify_message_with_key:        {best['sigv1_key']:8,.0f} verifications/s")
    print(f"SigV1 verify_message (from address):  {best['sigv1_address']:8,.0f} verifications/s")
    ceiling = best["floor"] / best["ed25519"]
    print(f"libsodium floor (c*A, r*G, add only): {best['floor']:8,.0f} /s (ratio ceiling {ceiling:.2f})")
    print(f"ratio SigV1 / Ed25519: {ratio:.2f} (goal >= 0.50: {'met' if ratio >= 0.5 else 'NOT met'})")


if __name__ == "__main__":
    main()
