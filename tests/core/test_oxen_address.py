"""Oxen address decoding and encoding on every network and kind, against the published vectors.

Monero vectors are read with the generic envelope (other tags), then the same keys are re-encoded
as Oxen mainnet addresses, as the vectors' README says they may be.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oxen_vectors import load

from swap.core import base58
from swap.core.cryptonote_keys import L, key_problem, public_key_from_secret, scalar_to_bytes
from swap.core.oxen_address import (
    AddressKind,
    InvalidAddress,
    Network,
    OxenAddress,
    decode_address,
    encode_address,
    network_tag,
)

ADDRESSES = load("address_vectors.json")
MONERO_KIND_BY_TAG = {18: AddressKind.STANDARD, 19: AddressKind.INTEGRATED, 42: AddressKind.SUBADDRESS}


def as_oxen_mainnet(monero_address: str) -> str:
    """The same keys (and payment id) under the Oxen mainnet tag of the same kind."""
    tag, payload = base58.decode_addr(monero_address)
    return base58.encode_addr(network_tag(Network.MAINNET, MONERO_KIND_BY_TAG[tag]), payload)


@pytest.mark.parametrize("vector", ADDRESSES["oxen"], ids=lambda v: v["address"][:12] or "empty")
def test_it_decodes_the_published_oxen_addresses(vector: dict[str, Any]) -> None:
    if vector["valid"] is False:
        with pytest.raises(InvalidAddress):
            decode_address(vector["address"])
        return
    try:
        decoded = decode_address(vector["address"])
    except InvalidAddress as refused:
        assert vector["valid"] is None, f"a valid vector was refused: {refused}"
        return
    assert decoded.network == vector["network"]
    assert encode_address(decoded) == vector["address"]
    if "kind" in vector:
        assert decoded.kind == vector["kind"]
    if "spend_pub" in vector:
        assert decoded.spend_public_key.hex() == vector["spend_pub"]
        assert decoded.view_public_key.hex() == vector["view_pub"]
        assert decoded.payment_id is None


def test_the_published_refusals_say_what_is_wrong() -> None:
    refused = {v["address"]: v for v in ADDRESSES["oxen"] if v["valid"] is False}
    reasons = []
    for address in refused:
        with pytest.raises(InvalidAddress) as error:
            decode_address(address)
        reasons.append(str(error.value))
    assert reasons == [
        "address is empty",
        "bad length: 94 characters (an Oxen address has 95, 97, 106 or 108)",
        "bad length: 96 characters (an Oxen address has 95, 97, 106 or 108)",
    ]


@pytest.mark.parametrize("vector", ADDRESSES["monero"], ids=lambda v: v["address"][:12])
def test_monero_vectors_hold_as_given_and_re_encoded_as_oxen_mainnet(vector: dict[str, Any]) -> None:
    try:
        tag, payload = base58.decode_addr(vector["address"])
    except base58.Base58Error:
        assert vector["valid"] is False
        return
    spend_key, view_key = payload[:32], payload[32:64]
    oxen = as_oxen_mainnet(vector["address"])
    if vector.get("valid") is False:
        assert key_problem(spend_key) or key_problem(view_key)
        with pytest.raises(InvalidAddress, match="key is not"):
            decode_address(oxen)
        return
    assert tag in MONERO_KIND_BY_TAG and vector.get("kind", MONERO_KIND_BY_TAG[tag]) == MONERO_KIND_BY_TAG[tag]
    decoded = decode_address(oxen)
    assert (decoded.network, decoded.kind) == (Network.MAINNET, MONERO_KIND_BY_TAG[tag])
    assert (decoded.spend_public_key, decoded.view_public_key) == (spend_key, view_key)
    if "spend_pub" in vector:
        assert (spend_key.hex(), view_key.hex()) == (vector["spend_pub"], vector["view_pub"])


def test_a_torsioned_address_decodes_under_oxen_rules_but_not_the_services() -> None:
    torsioned = next(v["address"] for v in ADDRESSES["monero"] if v["address"].startswith("4AeYLx84"))
    oxen = as_oxen_mainnet(torsioned)
    with pytest.raises(InvalidAddress, match="^spend key is not in the prime-order subgroup"):
        decode_address(oxen)
    assert decode_address(oxen, strict=False).network == Network.MAINNET


def test_without_key_checks_only_the_keys_are_left_to_the_caller() -> None:
    """The verifier checks the view key itself; its strict signature check refuses a bad spend key."""
    torsioned = as_oxen_mainnet(next(v["address"] for v in ADDRESSES["monero"] if v["address"].startswith("4AeYLx84")))
    assert decode_address(torsioned, check_keys=False) == decode_address(torsioned, strict=False)
    off_curve = encode_address(OxenAddress(Network.MAINNET, AddressKind.STANDARD, b"\x02" + bytes(31), bytes(32)))
    with pytest.raises(InvalidAddress, match="^spend key is not a valid curve point"):
        decode_address(off_curve, strict=False)
    assert decode_address(off_curve, check_keys=False).spend_public_key == b"\x02" + bytes(31)
    with pytest.raises(InvalidAddress, match="^checksum mismatch"):
        decode_address(off_curve[:-1] + ("1" if off_curve[-1] != "1" else "2"), check_keys=False)


def test_a_monero_address_is_refused_by_name() -> None:
    monero = ADDRESSES["monero"][0]["address"]
    with pytest.raises(InvalidAddress, match=r"^unknown network tag 18 \(a Monero mainnet address, not Oxen\)$"):
        decode_address(monero)


def test_it_refuses_a_tag_with_the_wrong_payload_size() -> None:
    keys = public_key_from_secret(scalar_to_bytes(7)) * 2
    standard_with_payment_id = base58.encode_addr(114, keys + bytes(8))
    with pytest.raises(InvalidAddress, match="^a mainnet standard address carries 64 bytes of keys, this one 72$"):
        decode_address(standard_with_payment_id)


GARBAGE = [
    "",
    "L" * 10_000,
    "\u00e9" * 95,
    "Lé" + "1" * 93,
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "SigV14K6G151gycjiGxjQ74tKX6A2LwwghvuHjcDeuRFQio5LS6Gb27BNxjYQY1dPuUvXkEbGQUkiHSVLPj4nJAHRrrw3",
    " " + ADDRESSES["oxen"][0]["address"],
    "1" * 95,
    "z" * 108,
    "\x00" * 95,
]


@pytest.mark.parametrize("garbage", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_gets_a_short_printable_reason(garbage: str) -> None:
    with pytest.raises(InvalidAddress) as refused:
        decode_address(garbage)
    reason = str(refused.value)
    assert reason and reason.isascii() and reason.isprintable() and len(reason) <= 120


def test_an_ethereum_address_is_recognised() -> None:
    ethereum_hint = r"^bad character '0' at position 1 \(this looks like an Ethereum address\)$"
    with pytest.raises(InvalidAddress, match=ethereum_hint):
        decode_address(GARBAGE[4])


@given(st.text(max_size=200))
def test_any_text_either_decodes_or_gets_a_short_printable_reason(text: str) -> None:
    try:
        decode_address(text)
    except InvalidAddress as refused:
        reason = str(refused)
        assert reason and reason.isascii() and reason.isprintable() and len(reason) <= 120


def _addresses() -> st.SearchStrategy[OxenAddress]:
    keys = st.integers(min_value=1, max_value=L - 1).map(lambda k: public_key_from_secret(scalar_to_bytes(k)))

    def build(network: Network, kind: AddressKind, spend: bytes, view: bytes, payment_id: bytes) -> OxenAddress:
        return OxenAddress(network, kind, spend, view, payment_id if kind is AddressKind.INTEGRATED else None)

    return st.builds(
        build, st.sampled_from(Network), st.sampled_from(AddressKind), keys, keys, st.binary(min_size=8, max_size=8)
    )


@settings(deadline=None)
@given(_addresses())
def test_decode_inverts_encode_on_every_network_and_kind(address: OxenAddress) -> None:
    text = encode_address(address)
    assert decode_address(text) == address
    assert decode_address(text, strict=False) == address
    assert len(text) == {(1, False): 95, (1, True): 106, (2, False): 97, (2, True): 108}[
        (len(base58.encode_varint(address.tag)), address.kind is AddressKind.INTEGRATED)
    ]
