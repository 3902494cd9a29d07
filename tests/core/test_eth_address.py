"""Ethereum address parsing: strict shape, EIP-55 checksums, canonical form."""

import pytest
from eth_utils import to_checksum_address as reference_checksum
from hypothesis import given
from hypothesis import strategies as st

from swap.core.eth_address import (
    EthAddressError,
    normalize_eth_address,
    parse_eth_address,
    parse_eth_address_with_checksum,
    to_checksum_address,
)

# The examples of the EIP-55 specification (eips.ethereum.org/EIPS/eip-55), as published.
EIP55_MIXED_CASE = [
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]
EIP55_ALL_CAPS = ["0x52908400098527886E0F7030069857D2E4169EE7", "0x8617E340B3D01FA5F11F306F4090FD50E238070D"]
EIP55_ALL_LOWER = ["0xde709f2102306220921060314715629080e2fb77", "0x27b1fdb04752bbc536007a920d24acb045561c26"]


@pytest.mark.parametrize("address", EIP55_MIXED_CASE + EIP55_ALL_CAPS + EIP55_ALL_LOWER)
def test_it_checksums_the_eip55_examples(address):
    raw = bytes.fromhex(address[2:])
    checksummed = to_checksum_address(raw)
    assert checksummed.lower() == address.lower()
    if address in EIP55_MIXED_CASE:
        assert checksummed == address


@pytest.mark.parametrize("address", EIP55_MIXED_CASE + EIP55_ALL_CAPS + EIP55_ALL_LOWER)
def test_it_accepts_valid_checksums_and_single_case_addresses(address):
    raw, checksummed = parse_eth_address_with_checksum(address)
    assert raw == bytes.fromhex(address[2:])
    assert checksummed == to_checksum_address(raw)
    assert parse_eth_address(address) == raw
    assert normalize_eth_address(address) == checksummed


@given(st.binary(min_size=20, max_size=20))
def test_it_agrees_with_eth_utils_on_any_address(raw):
    assert to_checksum_address(raw) == reference_checksum(raw)


@given(st.binary(min_size=20, max_size=20), st.data())
def test_it_rejects_any_single_case_flip_of_a_checksummed_letter(raw, data):
    checksummed = to_checksum_address(raw)
    letters = [i for i, c in enumerate(checksummed) if i >= 2 and c.isalpha()]
    lower_letters = [i for i in letters if checksummed[i].islower()]
    upper_letters = [i for i in letters if checksummed[i].isupper()]
    if not lower_letters or not upper_letters:
        return  # flipping one letter of a single-case text makes another valid "no checksum" form
    i = data.draw(st.sampled_from(letters))
    flipped = checksummed[:i] + checksummed[i].swapcase() + checksummed[i + 1 :]
    if flipped[2:] in (flipped[2:].lower(), flipped[2:].upper()):
        return
    with pytest.raises(EthAddressError, match="EIP-55"):
        parse_eth_address(flipped)


def test_a_wrong_checksum_names_the_expected_form():
    bad = "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    with pytest.raises(EthAddressError) as error:
        parse_eth_address(bad)
    assert "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed" in str(error.value)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "0x",
        "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",  # no 0x
        "0X5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",  # capital X
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe",  # 39 digits
        "0x05aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",  # 41 digits
        "0x" + "0" * 38,  # 19 bytes: the JavaScript library would left-pad it
        " 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
        "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed ",
        "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg",
        "0x5aaeb6053f3e94c9b9a09f33669435e7ef1bea d",
        "0x+aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
        "0x５aaeb6053f3e94c9b9a09f33669435e7ef1beae",  # a full-width digit
    ],
)
def test_it_rejects_malformed_text(text):
    with pytest.raises(EthAddressError, match="0x followed by 40 hex digits"):
        parse_eth_address(text)


@pytest.mark.parametrize("value", [None, 5, b"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"])
def test_it_rejects_what_is_not_text(value):
    with pytest.raises(EthAddressError, match="must be text"):
        parse_eth_address(value)


@pytest.mark.parametrize("value", [b"", bytes(19), bytes(21), "0x" + "00" * 20])
def test_checksumming_needs_exactly_20_bytes(value):
    with pytest.raises(EthAddressError, match="20 bytes"):
        to_checksum_address(value)
