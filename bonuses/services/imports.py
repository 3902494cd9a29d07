"""Importing recorded snapshot files: check everything first, then store in height order.

A file holds the `result` object of `get_service_nodes` with `height` and `block_hash` (a whole
JSON-RPC reply with a `result` is accepted too). An optional top-level `block_timestamp` (unix
seconds of that block) is kept as the snapshot's chain time; without it the snapshot supplies
state but is never the start of a late registrant's earnings (docs/rules.md).

`plan_import` reads and checks every file before anything is written: unreadable JSON, a result
`parse_snapshot` refuses, two files with one height and different hashes, a height already stored
with another hash, a height below the latest stored snapshot that is not stored: each stops the
import with one line naming the file. Files whose height and hash are already stored are skipped,
so running an import twice changes nothing. Each file is then stored in its own transaction;
imported snapshots are provisional until the capture task verifies their block hashes on the chain.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bonuses.models import ServiceNodeSnapshot, SnapshotSource
from bonuses.services.ingest import IngestOutcome, ingest_parsed
from swap.core.snapshot_format import SnapshotFormatError, parse_snapshot


class SnapshotFileError(ValueError):
    """A file cannot be imported; str() is one line starting with the file's path."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path


@dataclass(frozen=True)
class PlannedFile:
    path: Path
    height: int
    block_hash: str


@dataclass(frozen=True)
class ImportPlan:
    to_import: list[PlannedFile]  # height order
    already_stored: list[PlannedFile]


def expand_paths(paths: Iterable[str]) -> list[Path]:
    """Files as given; a directory stands for the `*.json` files directly inside it."""
    files: list[Path] = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            files.extend(sorted(path.glob("*.json")))
        elif path.is_file():
            files.append(path)
        else:
            raise SnapshotFileError(path, "no such file or directory")
    return files


def read_snapshot_file(path: Path) -> tuple[dict[str, Any], int | None]:
    """The result object of one file and its block timestamp, if the file records one."""
    try:
        document = json.loads(path.read_bytes())
    except (OSError, ValueError) as error:
        raise SnapshotFileError(path, f"not readable JSON ({error})") from None
    if isinstance(document, dict) and "jsonrpc" in document:
        if "error" in document:
            raise SnapshotFileError(path, f"a JSON-RPC error reply, not a result: {document['error']!r:.100}")
        document = document.get("result")
    if not isinstance(document, dict):
        raise SnapshotFileError(path, "not a JSON object holding a get_service_nodes result")
    raw_time = document.get("block_timestamp")
    if raw_time is None:
        return document, None
    if type(raw_time) is not int or raw_time <= 0:
        raise SnapshotFileError(path, f"block_timestamp is not a positive unix time: {raw_time!r:.40}")
    return document, raw_time


def _checked(path: Path) -> PlannedFile:
    result, _ = read_snapshot_file(path)
    try:
        parsed = parse_snapshot(result)
    except SnapshotFormatError as error:
        raise SnapshotFileError(path, str(error)) from None
    return PlannedFile(path, parsed.height, parsed.block_hash)


def plan_import(paths: Iterable[str], *, on_file: Callable[[], None] | None = None) -> ImportPlan:
    """Check every file and decide what to store; raises `SnapshotFileError` before any write."""
    by_height: dict[int, PlannedFile] = {}
    for path in expand_paths(paths):
        planned = _checked(path)
        other = by_height.get(planned.height)
        if other is not None and other.block_hash != planned.block_hash:
            raise SnapshotFileError(path, f"height {planned.height} has another block hash in {other.path}")
        by_height.setdefault(planned.height, planned)
        if on_file is not None:
            on_file()
    heights = sorted(by_height)
    stored: dict[int, str] = {}
    for start in range(0, len(heights), 500):
        chunk = heights[start : start + 500]
        stored.update(ServiceNodeSnapshot.objects.filter(height__in=chunk).values_list("height", "block_hash"))
    latest = ServiceNodeSnapshot.objects.order_by("-height").values_list("height", flat=True).first()
    to_import: list[PlannedFile] = []
    known: list[PlannedFile] = []
    for height in heights:
        planned = by_height[height]
        if height in stored:
            if stored[height] != planned.block_hash:
                raise SnapshotFileError(
                    planned.path, f"height {height} is already stored with block {stored[height]}"
                )
            known.append(planned)
        elif latest is not None and height < latest:
            raise SnapshotFileError(
                planned.path, f"height {height} is below the latest stored snapshot {latest} (history is append-only)"
            )
        else:
            to_import.append(planned)
    return ImportPlan(to_import, known)


def import_file(planned: PlannedFile, *, actor: str) -> IngestOutcome:
    """Store one planned file (re-read: the plan keeps no payloads in memory)."""
    result, block_timestamp = read_snapshot_file(planned.path)
    parsed = parse_snapshot(result)
    if (parsed.height, parsed.block_hash) != (planned.height, planned.block_hash):
        raise SnapshotFileError(planned.path, "the file changed during the import")
    return ingest_parsed(parsed, source=SnapshotSource.IMPORT, block_timestamp=block_timestamp, actor=actor)
