"""CryptoNote block base58 and the tagged address envelope, against oxen-core's unit-test vectors."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from oxen_vectors import c_literal, load

from swap.core import base58

VECTORS = load("base58_vectors.json")


@pytest.mark.parametrize("vector", VECTORS["encode"], ids=lambda v: v["encoded"])
def test_it_encodes_and_decodes_the_published_blocks(vector: dict[str, Any]) -> None:
    data = bytes.fromhex(vector["data_hex"])
    assert base58.encode(data) == vector["encoded"]
    assert base58.decode(vector["encoded"]) == data


@pytest.mark.parametrize("text", VECTORS["decode_neg"])
def test_it_refuses_every_published_bad_encoding_with_a_reason(text: str) -> None:
    with pytest.raises(base58.Base58Error) as refused:
        base58.decode(text)
    assert str(refused.value)


@pytest.mark.parametrize("vector", VECTORS["encode_decode_addr"], ids=lambda v: v["address"][:20])
def test_it_round_trips_the_published_tagged_envelopes(vector: dict[str, Any]) -> None:
    payload = bytes.fromhex(vector["data_hex"])
    assert base58.encode_addr(vector["tag"], payload) == vector["address"]
    assert base58.decode_addr(vector["address"]) == (vector["tag"], payload)


@pytest.mark.parametrize("vector", VECTORS["decode_addr_neg"], ids=lambda v: v["name"])
def test_it_refuses_every_published_bad_envelope_with_a_reason(vector: dict[str, Any]) -> None:
    with pytest.raises(base58.Base58Error) as refused:
        base58.decode_addr(c_literal(vector["address_c_literal"]))
    assert str(refused.value)


def test_it_names_the_bad_character_and_its_position_counting_from_one() -> None:
    with pytest.raises(base58.Base58Error, match=r"^bad character 'O' at position 3$"):
        base58.decode("11O11")
    with pytest.raises(base58.Base58Error, match=r"^bad character '\\xe9' at position 1$"):
        base58.decode("\u00e911")


def test_it_reports_a_checksum_mismatch() -> None:
    good = base58.encode_addr(114, bytes(64))
    last = good[-1]
    tampered = good[:-1] + ("2" if last != "2" else "3")
    with pytest.raises(base58.Base58Error, match="checksum mismatch"):
        base58.decode_addr(tampered)


def test_it_refuses_a_non_canonical_or_truncated_tag_varint() -> None:
    for prefix in (b"\x80\x00", b"\xff", b"\x80"):  # zero continuation byte; runs off the end
        text = base58.encode(prefix + base58.address_checksum(prefix))
        with pytest.raises(base58.Base58Error, match="tag varint"):
            base58.decode_addr(text)


def test_it_refuses_a_tag_beyond_64_bits() -> None:
    prefix = b"\xff" * 9 + b"\x02"
    with pytest.raises(base58.Base58Error, match="overflows 64 bits"):
        base58.decode_varint(prefix)
    assert base58.decode_varint(b"\xff" * 9 + b"\x01") == (2**64 - 1, 10)


@given(st.binary(max_size=200))
def test_decode_inverts_encode_for_any_bytes(data: bytes) -> None:
    assert base58.decode(base58.encode(data)) == data


@given(st.integers(min_value=0, max_value=2**64 - 1))
def test_varints_round_trip_and_are_minimal(value: int) -> None:
    encoded = base58.encode_varint(value)
    assert base58.decode_varint(encoded) == (value, len(encoded))
    assert len(encoded) == max(1, -(-value.bit_length() // 7))


@given(st.integers(min_value=0, max_value=2**64 - 1), st.binary(max_size=100))
def test_decode_addr_inverts_encode_addr_for_any_tag_and_payload(tag: int, payload: bytes) -> None:
    assert base58.decode_addr(base58.encode_addr(tag, payload)) == (tag, payload)


@given(st.text(max_size=300))
def test_any_text_either_decodes_or_gets_a_one_line_ascii_reason(text: str) -> None:
    try:
        base58.decode_addr(text)
    except base58.Base58Error as error:
        reason = str(error)
        assert reason.isascii() and reason.isprintable() and len(reason) < 120
