"""The values of a distribution tree, checked before anything is hashed.

OpenZeppelin's JavaScript library accepts addresses in any case without EIP-55, left-pads short
addresses, reads `" 5"`, `"+5"` and `"05"` as 5 and gives duplicate accounts one proof each. A
cumulative round holds exactly one amount per account and real money follows these numbers, so
every way in (Python entries, an `address,amount` CSV, the values of a `standard-v1` dump) goes
through the same strict checks here, and every error names where it is: `row 3`, `line 4` or
`values[2]`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from swap.core.eth_address import (
    ADDRESS_LENGTH,
    ZERO_ADDRESS,
    EthAddressError,
    parse_eth_address_with_checksum,
    to_checksum_address,
)

MAX_UINT256 = 2**256 - 1
_MAX_UINT256_DIGITS = len(str(MAX_UINT256))
_DECIMAL_DIGITS = frozenset("0123456789")


class MerkleInputError(ValueError):
    """A value cannot go into a distribution tree. `where` locates it; `reason` says why."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason


@dataclass(frozen=True)
class CheckedValues:
    """Values that passed every check, in input order. Made only by the functions of this module.

    Addresses are kept twice: the 20 bytes hashed into leaves, and the EIP-55 text a dump shows.
    """

    accounts: tuple[bytes, ...]
    checksums: tuple[str, ...]
    amounts: tuple[int, ...]
    index: dict[bytes, int]  # account -> position in the lists; never modified after checking


def row_number(i: int) -> str:
    """Locate the i-th (from 0) Python entry for error messages."""
    return f"row {i + 1}"


def check_entries(
    entries: Iterable[tuple[object, object]],
    *,
    locate: Callable[[int], str] = row_number,
    amounts_as_text: bool = False,
) -> CheckedValues:
    """Check `(address, amount)` pairs and return them ready to hash.

    Addresses: `0x` + 40 hex digits (a mixed-case one must pass EIP-55) or 20 raw bytes; never the
    zero address, which cannot receive tokens. Amounts: ints in 0 … 2^256 − 1, bools refused; or,
    with `amounts_as_text`, canonical decimal strings (see `is_canonical_decimal`). One entry per
    account, compared as bytes, so case never hides a duplicate. At least one entry.
    """
    accounts: list[bytes] = []
    checksums: list[str] = []
    amounts: list[int] = []
    for i, entry in enumerate(entries):
        try:
            address, amount = entry
        except (TypeError, ValueError):
            raise MerkleInputError(locate(i), "expected a pair (address, amount)") from None
        raw, checksummed = _check_address(address, locate, i)
        accounts.append(raw)
        checksums.append(checksummed)
        amounts.append(_check_amount(amount, locate, i, amounts_as_text))
    if not accounts:
        raise MerkleInputError("input", "a tree needs at least one entry")
    index = dict(zip(accounts, range(len(accounts)), strict=True))
    if len(index) != len(accounts):
        _raise_duplicate(accounts, checksums, locate)
    return CheckedValues(tuple(accounts), tuple(checksums), tuple(amounts), index)


def read_csv(text: str) -> CheckedValues:
    """Check an `address,amount` CSV: one header line, then one `0x…,<decimal>` line per account.

    Deliberately narrower than CSV in general: no quotes, no spaces, no blank lines (a final
    newline is fine), so what a person sees in the file is exactly what gets hashed. Errors name
    the file line, counting the header as line 1.
    """
    lines = text.removeprefix("\ufeff").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [line.removesuffix("\r") for line in lines]
    if not lines:
        raise MerkleInputError("line 1", "the file is empty; expected a header line address,amount")
    header = lines[0].split(",")
    if len(header) != 2 or not all(header) or header[0].startswith("0x"):
        raise MerkleInputError("line 1", f"expected a header line such as address,amount, got {lines[0][:80]!r}")
    if len(lines) == 1:
        raise MerkleInputError("line 2", "no data lines after the header")
    pairs = []
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split(",")
        if len(fields) != 2:
            raise MerkleInputError(f"line {number}", f"expected address,amount, got {line[:80]!r}")
        pairs.append((fields[0], fields[1]))
    return check_entries(pairs, locate=lambda i: f"line {i + 2}", amounts_as_text=True)


def is_canonical_decimal(text: str) -> bool:
    """Return whether `text` is `[0-9]+` without a leading zero (but "0" itself): one text per number."""
    return bool(text) and _DECIMAL_DIGITS.issuperset(text) and (text == "0" or text[0] != "0")


def _check_address(address: object, locate: Callable[[int], str], i: int) -> tuple[bytes, str]:
    if isinstance(address, bytes):
        if len(address) != ADDRESS_LENGTH:
            raise MerkleInputError(locate(i), f"an address is 20 bytes, not {len(address)}")
        raw, checksummed = address, to_checksum_address(address)
    elif isinstance(address, str):
        try:
            raw, checksummed = parse_eth_address_with_checksum(address)
        except EthAddressError as error:
            raise MerkleInputError(locate(i), str(error)) from None
    else:
        raise MerkleInputError(locate(i), f"an address is 0x text or 20 bytes, not {type(address).__name__}")
    if raw == ZERO_ADDRESS:
        raise MerkleInputError(locate(i), "the zero address cannot receive tokens")
    return raw, checksummed


def _check_amount(amount: object, locate: Callable[[int], str], i: int, as_text: bool) -> int:
    if as_text:
        if not isinstance(amount, str) or not is_canonical_decimal(amount):
            raise MerkleInputError(
                locate(i), f"amount {amount!r} is not a plain decimal number (digits only, no sign, no leading zero)"
            )
        if len(amount) > _MAX_UINT256_DIGITS:  # also keeps int() away from huge digit strings
            raise MerkleInputError(locate(i), f"amount {amount[:20]}… is above 2^256 − 1")
        value = int(amount)
    elif type(amount) is int:
        value = amount
    else:
        raise MerkleInputError(locate(i), f"amount must be an int, not {type(amount).__name__}")
    if not 0 <= value <= MAX_UINT256:
        raise MerkleInputError(locate(i), f"amount {value} is outside 0 … 2^256 − 1")
    return value


def _raise_duplicate(accounts: list[bytes], checksums: list[str], locate: Callable[[int], str]) -> None:
    first: dict[bytes, int] = {}
    for i, account in enumerate(accounts):
        if account in first:
            raise MerkleInputError(locate(i), f"{checksums[i]} already has an amount at {locate(first[account])}")
        first[account] = i
