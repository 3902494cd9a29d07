"""CryptoNote block base58, varints, and the tagged-and-checksummed address envelope.

Oxen (like Monero) does NOT use Bitcoin's base58: the input is cut into 8-byte blocks, each block is
read as a big-endian integer and written as a fixed number of digits (11 for a full block), so
leading zero bytes are not special and a string's length alone says how many bytes it holds.
Bitcoin libraries decode these strings to the wrong bytes, hence this module
(`../shared/oxen-crypto.md` §1.4, oxen-core `src/common/base58.cpp`).

`encode_addr` / `decode_addr` add the envelope every address uses:
`base58(varint(tag) ‖ payload ‖ keccak256(varint(tag) ‖ payload)[:4])`. They accept any tag, so the
same code reads Oxen, Monero and the test vectors' arbitrary tags; `oxen_address` decides which tags
mean an Oxen network.

Errors are `Base58Error` with a short, printable reason. Positions count characters from 1, the way
a person reading the string counts.
"""

from __future__ import annotations

import re

from swap.core.keccak import keccak256

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_DIGIT_OF = {char: digit for digit, char in enumerate(ALPHABET)}
_OUTSIDE_ALPHABET = re.compile(f"[^{ALPHABET}]")
# bytes.translate table: an ASCII character's digit value, or _NOT_A_DIGIT outside the alphabet.
_NOT_A_DIGIT = 0xFF
_DIGIT_TABLE = bytes(_DIGIT_OF.get(chr(code), _NOT_A_DIGIT) for code in range(256))

FULL_BLOCK_BYTES = 8
FULL_BLOCK_CHARS = 11
# Characters needed for a block of n bytes (index n); and the inverse for the last, short block.
_ENCODED_BLOCK_CHARS = (0, 2, 3, 5, 6, 7, 9, 10, 11)
_DECODED_BLOCK_BYTES = {chars: n for n, chars in enumerate(_ENCODED_BLOCK_CHARS)}

CHECKSUM_BYTES = 4
_UINT64_LIMIT = 1 << 64


class Base58Error(ValueError):
    """The text is not valid CryptoNote base58 (or not a valid tagged address envelope).

    `position` (1-based) points at the offending character when there is one, so a caller that
    stripped a prefix can re-number it with `shifted`.
    """

    def __init__(self, problem: str, position: int | None = None) -> None:
        self.problem = problem
        self.position = position
        super().__init__(problem if position is None else f"{problem} at position {position}")

    def shifted(self, offset: int) -> Base58Error:
        """The same error with its position moved right by `offset` characters."""
        if self.position is None:
            return Base58Error(self.problem)
        return Base58Error(self.problem, self.position + offset)


def describe_character(char: str) -> str:
    """A quoted, ASCII-only rendering of one character, safe to print anywhere."""
    return ascii(char)


def first_bad_character(text: str) -> Base58Error | None:
    """The error for the first character outside the alphabet, or None when all are in it.

    A regular expression, so that a megabyte of pasted garbage is scanned at C speed.
    """
    found = _OUTSIDE_ALPHABET.search(text)
    if found is None:
        return None
    return Base58Error(f"bad character {describe_character(found.group())}", found.start() + 1)


def encode(data: bytes) -> str:
    """Encode bytes in CryptoNote block base58."""
    pieces = []
    for start in range(0, len(data), FULL_BLOCK_BYTES):
        block = data[start : start + FULL_BLOCK_BYTES]
        value = int.from_bytes(block, "big")
        chars = []
        for _ in range(_ENCODED_BLOCK_CHARS[len(block)]):
            value, digit = divmod(value, 58)
            chars.append(ALPHABET[digit])
        pieces.append("".join(reversed(chars)))
    return "".join(pieces)


def decode(text: str) -> bytes:
    """Decode CryptoNote block base58, rejecting exactly what oxen-core rejects.

    Rejected: a character outside the alphabet, a last block whose length no byte count encodes
    to (1, 4 or 8 characters), a full block whose value does not fit 64 bits, and a short block
    whose value does not fit its byte count.
    """
    digits = text.encode("ascii").translate(_DIGIT_TABLE) if text.isascii() else None
    if digits is None or _NOT_A_DIGIT in digits:
        raise first_bad_character(text) or Base58Error("bad character")
    last_block_chars = len(text) % FULL_BLOCK_CHARS
    if last_block_chars and last_block_chars not in _DECODED_BLOCK_BYTES:
        raise Base58Error(f"bad length: no byte string encodes to {len(text)} characters")
    out = bytearray()
    for start in range(0, len(digits), FULL_BLOCK_CHARS):
        block = digits[start : start + FULL_BLOCK_CHARS]
        size = _DECODED_BLOCK_BYTES[len(block)]
        value = 0
        for digit in block:
            value = value * 58 + digit
        if value >> (8 * size):
            raise Base58Error(f"block value does not fit in {size} byte{'s' if size > 1 else ''}", start + 1)
        out += value.to_bytes(size, "big")
    return bytes(out)


def encode_varint(value: int) -> bytes:
    """Little-endian base-128 varint (7 bits per byte, high bit = more bytes follow)."""
    if value < 0:
        raise ValueError("a varint cannot be negative")
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def decode_varint(data: bytes, offset: int = 0) -> tuple[int, int]:
    """Read a 64-bit varint at `offset`; return (value, offset after it).

    Like oxen-core's `read_varint`: a zero byte after the first one is a non-canonical encoding
    and is rejected, and so is anything that does not fit 64 bits or runs off the end.
    """
    value = 0
    shift = 0
    position = offset
    while True:
        if position >= len(data):
            raise Base58Error("tag varint runs past the end of the data")
        byte = data[position]
        position += 1
        if shift + 7 >= 64 and byte >= 1 << (64 - shift):
            raise Base58Error("tag varint overflows 64 bits")
        if byte == 0 and shift != 0:
            raise Base58Error("tag varint is not in canonical form")
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, position
        shift += 7


def address_checksum(prefix: bytes) -> bytes:
    """The 4-byte checksum: the start of the Keccak-256 (not SHA3) of tag and payload."""
    return keccak256(prefix)[:CHECKSUM_BYTES]


def encode_addr(tag: int, payload: bytes) -> str:
    """`base58(varint(tag) ‖ payload ‖ checksum)`, as oxen-core's `tools::base58::encode_addr`."""
    if not 0 <= tag < _UINT64_LIMIT:
        raise ValueError("an address tag is an unsigned 64-bit integer")
    prefix = encode_varint(tag) + payload
    return encode(prefix + address_checksum(prefix))


def decode_addr(text: str) -> tuple[int, bytes]:
    """Split an address envelope into (tag, payload), checking the checksum and the tag varint."""
    data = decode(text)
    if len(data) <= CHECKSUM_BYTES:
        raise Base58Error("too short to hold a tag and a checksum")
    prefix, checksum = data[:-CHECKSUM_BYTES], data[-CHECKSUM_BYTES:]
    if address_checksum(prefix) != checksum:
        raise Base58Error("checksum mismatch")
    tag, payload_start = decode_varint(prefix)
    return tag, prefix[payload_start:]
