"""How a snapshot's canonical JSON is stored: compressed on its own, or as a delta against a keyframe.

Pure (no Django). A stored payload is named by its codec and whether it has a base:
- `zlib`, no base: zlib of the canonical JSON (the snapshots stored before zstd was used).
- `zstd`, no base: a zstd frame of the canonical JSON: a *keyframe*.
- `zstd` with a base: a zstd frame made with the base keyframe's canonical JSON as a raw-content
  dictionary. Consecutive results differ in a few bytes per node (height, hash, uptime proofs), so
  such a frame holds little more than those differences: kilobytes instead of a megabyte, made in
  about a millisecond once the base is loaded (`DeltaEncoder`), instead of compressing 4 MB again.

Decoding always gives back the exact canonical bytes whose sha256 is published; every zstd frame
carries zstd's content checksum, so damaged bytes or a wrong base fail loudly instead of decoding
to other bytes. Compressed bytes are never hashed or published, so the codec can change freely.
"""

from __future__ import annotations

import zlib

import zstandard

ZLIB, ZSTD = "zlib", "zstd"
LEVEL = 1
# A delta is stored only while it is smaller than this fraction of the canonical JSON (about a
# quarter of a keyframe's size); past it the snapshot becomes the next keyframe.
DELTA_LIMIT_DIVISOR = 16
MAX_WINDOW = 1 << 31


def encode_keyframe(canonical: bytes) -> bytes:
    """A zstd frame of `canonical` alone (level 1: a 4 MB snapshot in ~8 ms, smaller than zlib level 1)."""
    return zstandard.ZstdCompressor(level=LEVEL, write_checksum=True, write_content_size=True).compress(canonical)


class DeltaEncoder:
    """Compresses results against one keyframe's canonical bytes; reusable for every later snapshot.

    Building it digests the base once (~15 ms for 4 MB); each `encode` then costs ~1 ms. The window
    covers the base and a result of the same size, so every byte of the base can be referred to.
    """

    def __init__(self, base: bytes) -> None:
        self.base = base
        window_log = max(20, min(30, (2 * len(base)).bit_length()))
        params = zstandard.ZstdCompressionParameters.from_level(
            LEVEL, window_log=window_log, hash_log=max(17, min(22, window_log - 4)),
            write_checksum=1, write_content_size=1,
        )
        dictionary = zstandard.ZstdCompressionDict(base, dict_type=zstandard.DICT_TYPE_RAWCONTENT)
        dictionary.precompute_compress(compression_params=params)
        self._compressor = zstandard.ZstdCompressor(dict_data=dictionary, compression_params=params)

    def encode(self, canonical: bytes) -> bytes:
        return self._compressor.compress(canonical)


def decode(payload: bytes, codec: str, base: bytes | None = None) -> bytes:
    """The canonical JSON stored as `payload`; `base` is the base keyframe's canonical JSON, if any."""
    if codec == ZLIB and base is None:
        return zlib.decompress(payload)
    if codec == ZSTD and base is None:
        return zstandard.ZstdDecompressor().decompress(payload)
    if codec == ZSTD and base is not None:
        dictionary = zstandard.ZstdCompressionDict(base, dict_type=zstandard.DICT_TYPE_RAWCONTENT)
        return zstandard.ZstdDecompressor(dict_data=dictionary, max_window_size=MAX_WINDOW).decompress(payload)
    raise ValueError(f"no such payload codec {codec!r} (with a base: {base is not None})")


class Decoder:
    """`decode` for many payloads against few keyframes: each keyframe's dictionary is built once.

    Building a zstd dictionary from a 4 MB keyframe costs more than expanding a delta with it, and
    a reader of a whole history expands hundreds of deltas per keyframe.
    """

    def __init__(self) -> None:
        self._by_base: dict[bytes, zstandard.ZstdDecompressor] = {}

    def decode(self, payload: bytes, codec: str, base: bytes | None = None) -> bytes:
        if codec != ZSTD or base is None:
            return decode(payload, codec, base)
        decompressor = self._by_base.get(base)
        if decompressor is None:
            dictionary = zstandard.ZstdCompressionDict(base, dict_type=zstandard.DICT_TYPE_RAWCONTENT)
            decompressor = zstandard.ZstdDecompressor(dict_data=dictionary, max_window_size=MAX_WINDOW)
            self._by_base = {base: decompressor}  # keyframes come in order: keep the latest only
        return decompressor.decompress(payload)

