"""The per-round bundle of raw inputs: file names, the manifest's digest rule, deterministic tar.gz.

Pure (no Django): the service writes bundles with these functions when it freezes a round, and
the standalone verifier (`verifier/`) reads them with the same ones.

A bundle is a gzip-compressed tar of `round-<n>/<path>` members, every path listed in the
manifest with its sha256, except two: `manifest.json` itself, and `chain.json`, the on-chain
facts (proposing and activating transactions) that do not exist yet when the round is frozen and
are served beside the frozen bundle once known. So the frozen inputs never change, and their
digest (`manifest_sha256`) can be announced at freeze.

Byte for byte reproducible: members in path order, mtime 0, uid/gid 0, no owner names, mode
0644, PAX format with integer fields only (no time headers), gzip header with mtime 0 and no
file name, one fixed compression level. The same files always give the same archive.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from collections.abc import Iterable, Iterator
from typing import Any

FORMAT = "sesh-round-bundle-v1"
MANIFEST = "manifest.json"
CHAIN = "chain.json"
DUMP = "dump.json"
ENTRIES = "entries.csv"
PREVIOUS_ENTRIES = "previous-entries.csv"
BONUS_INPUTS = "bonus-inputs.csv"
BONUS_SNAPSHOTS = "bonus-snapshots.csv"
REGISTRATIONS = "registrations.jsonl"
CLAIMS = "claims.jsonl"
STAKE_CHANGES = "stake-changes.jsonl"  # swap.core.stake_changes
SNAPSHOT_DIR = "snapshots/"
NOT_DIGESTED = frozenset({MANIFEST, CHAIN})
GZIP_LEVEL = 6
_CHUNK = 1 << 20


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def json_bytes(value: Any) -> bytes:
    """The one byte form of every JSON document in a bundle: sorted keys, no spaces, UTF-8, newline."""
    return (json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode()


def jsonl_bytes(records: Iterable[Any]) -> bytes:
    """One `json_bytes` line per record."""
    return b"".join(json_bytes(record) for record in records)


def prefix(round_number: int) -> str:
    """The directory every member of round `round_number`'s archive sits in."""
    return f"round-{round_number}/"


def snapshot_file(height: int, codec: str, base_height: int | None) -> str:
    """Where a stored snapshot payload sits: keyframes (and zlib) whole, deltas naming their keyframe."""
    if base_height is not None:
        return f"{SNAPSHOT_DIR}{height}.delta-{base_height}.{codec}"
    return f"{SNAPSHOT_DIR}{height}.json.{codec}"


class _Sink(io.RawIOBase):
    """A write-only file whose written bytes are taken out in chunks (a streamed archive)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.parts.append(chunk)
        return len(chunk)

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def _member(path: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(path)
    info.size, info.mtime, info.mode = size, 0, 0o644
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.type = tarfile.REGTYPE
    return info


def pack(members: Iterable[tuple[str, bytes]]) -> Iterator[bytes]:
    """Stream the tar.gz of `(path, bytes)` members, which must come in strictly increasing path order."""
    sink = _Sink()
    previous = ""
    with gzip.GzipFile(fileobj=sink, mode="wb", compresslevel=GZIP_LEVEL, mtime=0, filename="") as compressed:
        with tarfile.open(fileobj=compressed, mode="w|", format=tarfile.PAX_FORMAT) as archive:
            for path, data in members:
                if path <= previous:
                    raise ValueError(f"bundle members must come in path order: {path!r} after {previous!r}")
                previous = path
                archive.addfile(_member(path, len(data)), io.BytesIO(data))
                if sum(map(len, sink.parts)) >= _CHUNK:
                    yield sink.take()
    yield sink.take()


def pack_bytes(members: Iterable[tuple[str, bytes]]) -> bytes:
    return b"".join(pack(members))


def unpack(archive: bytes) -> tuple[int | None, dict[str, bytes]]:
    """(round number, {path: bytes}) of a bundle archive; refuses anything but regular files in one round directory."""
    files: dict[str, bytes] = {}
    top: str | None = None
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        for info in tar:
            if not info.isreg():
                raise ValueError(f"bundle member {info.name!r} is not a regular file")
            head, _, rest = info.name.partition("/")
            if not head.startswith("round-") or not rest or ".." in rest.split("/"):
                raise ValueError(f"bundle member {info.name!r} is not under round-<n>/")
            if top is not None and head != top:
                raise ValueError(f"bundle holds two rounds: {top} and {head}")
            top = head
            if rest in files:
                raise ValueError(f"bundle member {info.name!r} appears twice")
            extracted = tar.extractfile(info)
            assert extracted is not None
            files[rest] = extracted.read()
    number = int(top.removeprefix("round-")) if top and top.removeprefix("round-").isdigit() else None
    return number, files
