"""All checks of a bundle, in order; the first broken record stops them (`Broken`)."""

from __future__ import annotations

from pathlib import Path

from sesh_verify import bundle as bundles
from sesh_verify.bonus import check_bonus
from sesh_verify.claims import check_claims
from sesh_verify.entries import check_previous, check_tree
from sesh_verify.errors import Broken
from sesh_verify.registrations import check_registrations
from sesh_verify.rpc import check_chain
from sesh_verify.snapshots import Selection
from swap.core import bundle_format as fmt

__all__ = ["Broken", "Selection", "check_files", "verify_bundle"]


def check_files(bundle: bundles.Bundle) -> str:
    """Every file against the manifest's sha256, and no file the manifest does not list."""
    listed: dict[str, str] = bundle.manifest["files"]
    fetched_later = 0
    for path in sorted(listed):
        if path not in bundle.files and bundle.fetch is not None and path.startswith(fmt.SNAPSHOT_DIR):
            fetched_later += 1  # read by URL if its snapshot is checked, and held to this digest then
            continue
        if path not in bundle.files:
            raise Broken("files", path, "listed in the manifest but missing")
        bundles.check_digest(bundle.manifest, path, bundle.files[path])
    for path in sorted(bundle.files):
        if path not in listed and path not in fmt.NOT_DIGESTED:
            raise Broken("files", path, "not listed in the manifest")
    shipped = {record["file"] for record in bundle.manifest["snapshots"]}
    for path in sorted(listed):
        if path.startswith(fmt.SNAPSHOT_DIR) and path not in shipped:
            raise Broken("files", path, "a snapshot file no snapshot record names")
    later = f"; {fetched_later} snapshot payloads are read by URL when checked" if fetched_later else ""
    return f"{len(listed) - fetched_later} files match the manifest's sha256 " \
           f"({sum(map(len, bundle.files.values()))} bytes){later}"


def verify_bundle(bundle: bundles.Bundle, *, rpc: str | None = None,
                  selection: Selection | None = None) -> list[tuple[str, str]]:
    """Run every check; returns (check, what it established) lines, or raises `Broken`.

    `selection` says which snapshots are expanded and compared with the stake changes (`Selection()`:
    all of them up to 1,000, else a random sample of 1,000 and the first and last).
    """
    report = [("files", check_files(bundle))]
    tree, entries, summary = check_tree(bundle)
    report.append(("tree", summary))
    registrations, summary = check_registrations(bundle)
    report.append(("registrations", summary))
    report.extend(("claims", line) for line in check_claims(bundle, registrations, entries))
    report.extend(("bonus", line) for line in check_bonus(bundle, registrations, entries, selection))
    report.append(("cumulative", f"bonus + claims = cumulative for all {len(entries)} accounts"))
    report.append(("previous round", check_previous(bundle, entries)))
    if rpc:
        report.extend(("chain", line) for line in check_chain(bundle, rpc))
    return report


def verify_path(path: Path, *, rpc: str | None = None, chain: Path | None = None,
                selection: Selection | None = None) -> list[tuple[str, str]]:
    return verify_bundle(bundles.load(path, chain), rpc=rpc, selection=selection)
