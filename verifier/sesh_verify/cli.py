"""`sesh-verify BUNDLE [--rpc URL] [--chain chain.json] [--all | --sample N --seed S]`.

A one-page report and exit 0, or the first broken record and exit 1."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sesh_verify.bundle import BundleError, is_url, load, load_url
from sesh_verify.checks import verify_bundle
from sesh_verify.errors import Broken
from sesh_verify.snapshots import DEFAULT_SAMPLE, Selection


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="sesh-verify",
        description="Recompute every SESH of a published round from its bundle of raw inputs.",
    )
    parser.add_argument("bundle", help="the round's bundle.tar.gz, the directory it was extracted to, or the URL "
                        "the service serves its files under (https://<service>/api/v1/rounds/N/bundle/: snapshot "
                        "payloads are then fetched only for the snapshots checked)")
    parser.add_argument("--rpc", help="an L2 JSON-RPC URL: also check the root, its events and totals on chain")
    parser.add_argument("--chain", type=Path, help="the round's chain.json, when kept beside the bundle")
    parser.add_argument("--all", action="store_true", help="expand and compare every snapshot, not a sample "
                        "(slow: about 15 ms a snapshot, hours for a snapshot a block)")
    parser.add_argument("--sample", type=int, default=DEFAULT_SAMPLE, metavar="N",
                        help=f"how many snapshots to draw when there are more (default {DEFAULT_SAMPLE})")
    parser.add_argument("--seed", type=int, help="the sample's seed, to repeat a run (default: a fresh random one)")
    args = parser.parse_args(argv)
    if args.sample < 0:
        parser.error("--sample must not be negative")
    selection = Selection(size=args.sample, seed=args.seed, every=args.all)
    started = time.perf_counter()
    try:
        bundle = load_url(args.bundle, args.chain) if is_url(args.bundle) else load(Path(args.bundle), args.chain)
        report = verify_bundle(bundle, rpc=args.rpc, selection=selection)
    except BundleError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except Broken as broken:
        print(f"FAILED {broken.check}: {broken.record}: {broken.reason}", file=sys.stderr)
        return 1
    manifest = bundle.manifest
    print(f"sesh-verify: round {manifest['round']} (cut-off {manifest['cutoff']}), root {manifest['root']}")
    for check, line in report:
        print(f"  ok  {check:<15} {line}")
    offline = "" if args.rpc else " (offline: add --rpc URL to check the chain)"
    print(f"ok: every published amount recomputed from the bundle in {time.perf_counter() - started:.1f} s{offline}")
    return 0
