"""Reading a bundle: a `bundle.tar.gz`, the directory it was extracted into, or the service's files by URL.

By URL (`https://<service>/api/v1/rounds/N/bundle/`, where the service serves each file alone),
everything but the snapshot payloads is read at once; a payload is fetched only when its snapshot
is checked, and must match the manifest's sha256 like any file. At a snapshot a block the payloads
are tens of GB (deltas up to 1/16 of a 4 MB snapshot each), so a sampled check reads only the few
it draws (`docs/verify.md`).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sesh_verify.errors import Broken
from swap.core import bundle_format as fmt


class BundleError(ValueError):
    """The bundle cannot be read at all (not an archive, no manifest, …)."""


@dataclass
class Bundle:
    files: dict[str, bytes]
    manifest: dict[str, Any]
    chain: dict[str, Any] | None
    source: str
    fetch: Callable[[str], bytes] | None = None  # reads a listed payload the bundle does not hold (by URL)

    def text(self, path: str) -> str:
        return self.files[path].decode("utf-8")

    def payload(self, path: str) -> bytes | None:
        """A snapshot payload the bundle holds, or fetched by URL and held to the manifest's sha256; else None."""
        if path in self.files or self.fetch is None or path not in self.manifest["files"]:
            return self.files.get(path)
        try:
            data = self.fetch(path)
        except BundleError as error:
            raise Broken("files", path, str(error)) from None
        check_digest(self.manifest, path, data)
        return data


def check_digest(manifest: dict[str, Any], path: str, data: bytes) -> None:
    """`data`, read as `path`, has the sha256 the manifest lists for it."""
    listed = manifest["files"].get(path)
    if fmt.sha256_hex(data) != listed:
        raise Broken("files", path, f"its sha256 {fmt.sha256_hex(data)} is not the manifest's {listed}")


def _read_directory(directory: Path) -> dict[str, bytes]:
    return {path.relative_to(directory).as_posix(): path.read_bytes()
            for path in sorted(directory.rglob("*")) if path.is_file()}


def _manifest(data: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(data)
    except ValueError as error:
        raise BundleError(f"{fmt.MANIFEST} is not JSON: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != fmt.FORMAT:
        raise BundleError(f"{fmt.MANIFEST} is not a {fmt.FORMAT} manifest")
    return manifest


def _chain(chain_bytes: bytes | None, chain_path: Path | None) -> dict[str, Any] | None:
    if chain_path is not None:
        try:
            chain_bytes = chain_path.read_bytes()
        except OSError as error:
            raise BundleError(f"cannot read {chain_path}: {error.strerror or error}") from None
    if chain_bytes is None:
        return None
    try:
        chain: dict[str, Any] = json.loads(chain_bytes)
    except ValueError as error:
        raise BundleError(f"{fmt.CHAIN} is not JSON: {error}") from None
    return chain


def is_url(text: str) -> bool:
    return text.startswith(("https://", "http://"))


def load_url(url: str, chain_path: Path | None = None, timeout: float = 60.0) -> Bundle:
    """The bundle the service serves file by file under `url`; snapshot payloads are fetched when checked.

    `chain.json` is read from beside the bundle (`…/rounds/N/chain.json`) unless `chain_path` names
    one; it is absent (404) until the round is on chain.
    """
    base = url.rstrip("/") + "/"

    def get(address: str) -> bytes:
        with urllib.request.urlopen(address, timeout=timeout) as response:  # noqa: S310 - the user's URL
            return bytes(response.read())

    def fetch(path: str) -> bytes:
        try:
            return get(base + path)
        except OSError as error:  # urllib's errors are OSErrors
            raise BundleError(f"cannot fetch {base + path}: {error}") from None

    manifest_bytes = fetch(fmt.MANIFEST)
    manifest = _manifest(manifest_bytes)
    listed = manifest.get("files")
    if not isinstance(listed, dict):
        raise BundleError(f"{fmt.MANIFEST} lists no files")
    files = {fmt.MANIFEST: manifest_bytes}
    files.update((path, fetch(path)) for path in sorted(listed) if not path.startswith(fmt.SNAPSHOT_DIR))
    chain_bytes = None
    if chain_path is None:
        try:
            chain_bytes = get(urllib.parse.urljoin(base, f"../{fmt.CHAIN}"))
        except urllib.error.HTTPError as error:
            if error.code != 404:
                raise BundleError(f"cannot fetch {fmt.CHAIN} beside {base}: {error}") from None
        except OSError as error:
            raise BundleError(f"cannot fetch {fmt.CHAIN} beside {base}: {error}") from None
    return Bundle(files, manifest, _chain(chain_bytes, chain_path), base, fetch)


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
    manifest = _manifest(files[fmt.MANIFEST])
    return Bundle(files, manifest, _chain(files.get(fmt.CHAIN), chain_path), str(path))
