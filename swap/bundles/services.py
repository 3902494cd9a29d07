"""Building a round's bundle at freeze, and reading it back byte for byte.

`store_bundle` runs inside `freeze_round`'s transaction (through the `round_frozen` signal): it
writes every file but the snapshot payloads, computes the manifest, streams the archive once to
record its sha256, and writes a `bundle:stored` audit event. `archive_chunks` streams the same
archive again whenever it is served: the same rows give the same bytes (tested).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from swap.audit import record_event
from swap.bundles import inputs
from swap.bundles.models import RoundBundle, RoundBundleFile
from swap.core import bundle_format as fmt
from swap.distributions.models import DistributionRound


def _members(round_number: int, files: dict[str, bytes], snapshots: list[inputs.SnapshotRef]) -> Iterator[
        tuple[str, bytes]]:
    """Every member in path order; snapshot payloads are read one at a time."""
    payloads = {ref.path: ref for ref in snapshots}
    top = fmt.prefix(round_number)
    for path in sorted([*files, *payloads]):
        data = files[path] if path in files else inputs.snapshot_payload(payloads[path])
        yield top + path, data


def build_files(round_: DistributionRound) -> tuple[dict[str, bytes], list[inputs.SnapshotRef]]:
    """Every file of the round's bundle from the database (snapshot payloads by reference), manifest included."""
    files = inputs.published_files(round_)
    snapshots = inputs.snapshot_refs(round_)
    files[fmt.STAKE_CHANGES] = inputs.stake_changes_jsonl(snapshots)
    payload_digests = {ref.path: fmt.sha256_hex(inputs.snapshot_payload(ref)) for ref in snapshots}
    files[fmt.MANIFEST] = fmt.json_bytes(inputs.manifest(round_, files, snapshots, payload_digests))
    return files, snapshots


def rebuild_archive(round_: DistributionRound) -> bytes:
    """The round's archive built again from the database alone: equal to the frozen one, byte for byte."""
    files, snapshots = build_files(round_)
    return fmt.pack_bytes(_members(round_.number, files, snapshots))


def store_bundle(round_: DistributionRound, *, actor: str) -> RoundBundle:
    """Build and store the bundle of a just-frozen round (a round has one bundle, written once)."""
    existing = RoundBundle.objects.filter(round=round_).first()
    if existing is not None:
        return existing
    files, snapshots = build_files(round_)
    manifest = files[fmt.MANIFEST]
    digest, size = hashlib.sha256(), 0
    for chunk in fmt.pack(_members(round_.number, files, snapshots)):
        digest.update(chunk)
        size += len(chunk)
    bundle = RoundBundle.objects.create(round=round_, manifest_sha256=fmt.sha256_hex(manifest),
                                        archive_sha256=digest.hexdigest(), archive_bytes=size)
    RoundBundleFile.objects.bulk_create(
        RoundBundleFile(bundle=bundle, path=path, data=data, sha256=fmt.sha256_hex(data))
        for path, data in sorted(files.items())
    )
    record_event("bundle:stored", actor=actor, subject=f"round:{round_.number}",
                 data={"manifest_sha256": bundle.manifest_sha256, "archive_sha256": bundle.archive_sha256,
                       "archive_bytes": size, "snapshots": len(snapshots), "files": len(files)})
    return bundle


def stored_files(bundle: RoundBundle) -> dict[str, bytes]:
    return {path: bytes(data) for path, data in bundle.files.values_list("path", "data")}


def bundle_snapshots(bundle: RoundBundle) -> list[inputs.SnapshotRef]:
    return inputs.snapshot_refs(bundle.round)


def archive_chunks(bundle: RoundBundle) -> Iterator[bytes]:
    """The frozen `bundle.tar.gz`, streamed from the stored files and the final snapshots' payloads."""
    return fmt.pack(_members(bundle.round.number, stored_files(bundle), bundle_snapshots(bundle)))


def file_bytes(bundle: RoundBundle, path: str) -> bytes | None:
    """One file of the bundle by its path (`manifest.json`, `snapshots/<name>`, …), or None."""
    row = bundle.files.filter(path=path).values_list("data", flat=True).first()
    if row is not None:
        return bytes(row)
    for ref in bundle_snapshots(bundle):
        if ref.path == path:
            return inputs.snapshot_payload(ref)
    return None
