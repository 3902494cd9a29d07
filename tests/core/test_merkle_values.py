"""What may go into a distribution tree: strict entries and strict CSV, errors that name the row."""

import pytest

from swap.core.eth_address import to_checksum_address
from swap.core.merkle import StandardMerkleTree
from swap.core.merkle_values import MerkleInputError, check_entries, is_canonical_decimal, read_csv

A = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
B = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"
C = "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB"
MAX_UINT256 = 2**256 - 1


def test_it_accepts_amounts_from_zero_to_the_uint256_maximum():
    checked = check_entries([(A, 0), (B, MAX_UINT256), (bytes.fromhex(C[2:]), 5)])
    assert checked.amounts == (0, MAX_UINT256, 5)
    assert checked.checksums == (A, B, C)


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        (-1, "outside"),
        (2**256, "outside"),
        (True, "not bool"),
        (False, "not bool"),
        (1.0, "not float"),
        ("5", "not str"),
        (None, "not NoneType"),
    ],
)
def test_it_rejects_amounts_that_are_not_uint256_ints_and_names_the_row(amount, reason):
    with pytest.raises(MerkleInputError, match=f"^row 2: .*{reason}"):
        StandardMerkleTree.of([(A, 1), (B, amount)])


@pytest.mark.parametrize(
    "address",
    ["0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0x" + "ab" * 19, 7],
)
def test_it_rejects_malformed_addresses_and_names_the_row(address):
    with pytest.raises(MerkleInputError, match="^row 3: "):
        StandardMerkleTree.of([(A, 1), (B, 2), (address, 3)])


@pytest.mark.parametrize("address", [bytes(19), bytes(21)])
def test_raw_addresses_are_exactly_20_bytes(address):
    with pytest.raises(MerkleInputError, match="^row 1: an address is 20 bytes"):
        check_entries([(address, 1)])


def test_it_rejects_the_zero_address_which_cannot_receive_tokens():
    with pytest.raises(MerkleInputError, match="^row 2: the zero address"):
        check_entries([(A, 1), ("0x" + "00" * 20, 2)])


def test_it_rejects_a_second_amount_for_an_account_in_any_case_and_names_both_rows():
    with pytest.raises(MerkleInputError, match=f"^row 3: {B} already has an amount at row 1$"):
        check_entries([(B, 1), (A, 2), (B.lower(), 3)])
    with pytest.raises(MerkleInputError, match="^row 2: .* at row 1$"):
        check_entries([(bytes.fromhex(A[2:]), 1), (A.upper().replace("0X", "0x"), 1)])


@pytest.mark.parametrize("entry", [(A,), (A, 1, 2), A, 5])
def test_an_entry_is_a_pair(entry):
    with pytest.raises(MerkleInputError, match="^row 1: expected a pair"):
        check_entries([entry])


def test_a_tree_needs_at_least_one_entry():
    with pytest.raises(MerkleInputError, match="at least one entry"):
        StandardMerkleTree.of([])


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("0", True),
        ("5", True),
        ("1000000000", True),
        ("", False),
        ("05", False),
        ("00", False),
        (" 5", False),
        ("5 ", False),
        ("+5", False),
        ("-5", False),
        ("5.0", False),
        ("1e9", False),
        ("1_000", False),
        ("٥", False),
    ],
)
def test_canonical_decimals_have_one_spelling_per_number(text, canonical):
    assert is_canonical_decimal(text) is canonical


def csv(*lines, end="\n"):
    return end.join(lines) + end


def test_it_reads_a_csv_with_a_header():
    checked = read_csv(csv("address,amount", f"{A},5", f"{B.lower()},0"))
    assert checked.checksums == (A, B)
    assert checked.amounts == (5, 0)


@pytest.mark.parametrize(
    "text",
    [
        csv("eth_address,cumulative_sesh_atomic", f"{A},5", end="\r\n"),
        "\ufeff" + csv("address,amount", f"{A},5"),
        "address,amount\n" + f"{A},5",
    ],
)
def test_it_accepts_crlf_a_bom_the_published_header_and_no_final_newline(text):
    assert read_csv(text).amounts == (5,)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1: the file is empty"),
        (csv(f"{A},5"), "line 1: expected a header line"),
        (csv("address"), "line 1: expected a header line"),
        (csv("address,amount"), "line 2: no data lines"),
        (csv("address,amount", f"{A},5", ""), "line 3: expected address,amount"),
        (csv("address,amount", "", f"{A},5"), "line 2: expected address,amount"),
        (csv("address,amount", f"{A},5,1"), "line 2: expected address,amount"),
        (csv("address,amount", f"{A};5"), "line 2: expected address,amount"),
        (csv("address,amount", f"{A}, 5"), "line 2: amount ' 5' is not a plain decimal"),
        (csv("address,amount", f"{A},+5"), "line 2: amount '\\+5' is not a plain decimal"),
        (csv("address,amount", f"{A},05"), "line 2: amount '05' is not a plain decimal"),
        (csv("address,amount", f"{A},-5"), "line 2: amount '-5' is not a plain decimal"),
        (csv("address,amount", f"{A},5.5"), "line 2: amount '5.5' is not a plain decimal"),
        (csv("address,amount", f'{A},"5"'), "line 2: amount '\"5\"' is not a plain decimal"),
        (csv("address,amount", f"{A},{2**256}"), "line 2: amount .* outside"),
        (csv("address,amount", f"{A},{'9' * 5000}"), "line 2: amount 9+… is above"),
        (csv("address,amount", f" {A},5"), "line 2: .* is not 0x followed by 40 hex digits"),
        (csv("address,amount", f"{A[:-1]},5"), "line 2: .* is not 0x followed by 40 hex digits"),
        (csv("address,amount", f"{A.swapcase().replace('0X', '0x')},5"), "line 2: .* fails the EIP-55 checksum"),
        (csv("address,amount", f"{A},5", f"{B},6", f"{A.lower()},7"), f"line 4: {A} already has an amount at line 2"),
    ],
)
def test_it_rejects_a_bad_csv_line_and_names_it(text, message):
    with pytest.raises(MerkleInputError, match=f"^{message}"):
        read_csv(text)


def test_the_csv_and_the_entries_give_the_same_tree():
    entries = [(to_checksum_address(bytes([i + 1]) * 20), i * 10**9) for i in range(20)]
    from_csv = StandardMerkleTree(read_csv(csv("address,amount", *[f"{a},{m}" for a, m in entries])))
    assert from_csv.dumps() == StandardMerkleTree.of(entries).dumps()
