"""Reading a bundle: a `bundle.tar.gz`, or the directory it was extracted into, and `chain.json`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from swap.core import bundle_format as fmt


class BundleError(ValueError):
    """The bundle cannot be read at all (not an archive, no manifest, …)."""


@dataclass
class Bundle:
    files: dict[str, bytes]
    manifest: dict[str, Any]
    chain: dict[str, Any] | None
    source: str

    def text(self, path: str) -> str:
        return self.files[path].decode("utf-8")


def _read_directory(directory: Path) -> dict[str, bytes]:
    return {path.relative_to(directory).as_posix(): path.read_bytes()
            for path in sorted(directory.rglob("*")) if path.is_file()}


def load(path: Path, chain_path: Path | None = None) -> Bundle:
    """The bundle at `path` (archive or directory); `chain_path` names a `chain.json` kept beside it."""
    try:
        if path.is_dir():
            files = _read_directory(path)
            if fmt.MANIFEST not in files and len(subdirs := [p for p in path.iterdir() if p.is_dir()]) == 1:
                files = _read_directory(subdirs[0])
        else:
            _, files = fmt.unpack(path.read_bytes())
    except OSError as error:
        raise BundleError(f"cannot read {path}: {error.strerror or error}") from None
    except (ValueError, EOFError) as error:  # tarfile and gzip errors are ValueError or EOFError subclasses
        raise BundleError(f"{path} is not a bundle archive: {error}") from None
    if fmt.MANIFEST not in files:
        raise BundleError(f"{path} has no {fmt.MANIFEST}")
    try:
        manifest = json.loads(files[fmt.MANIFEST])
    except ValueError as error:
        raise BundleError(f"{fmt.MANIFEST} is not JSON: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != fmt.FORMAT:
        raise BundleError(f"{fmt.MANIFEST} is not a {fmt.FORMAT} manifest")
    chain_bytes = files.get(fmt.CHAIN)
    if chain_path is not None:
        try:
            chain_bytes = chain_path.read_bytes()
        except OSError as error:
            raise BundleError(f"cannot read {chain_path}: {error.strerror or error}") from None
    chain = None
    if chain_bytes is not None:
        try:
            chain = json.loads(chain_bytes)
        except ValueError as error:
            raise BundleError(f"{fmt.CHAIN} is not JSON: {error}") from None
    return Bundle(files, manifest, chain, str(path))
