"""The published tree: dump, entries CSV, cumulative = bonus + claims, never lower than before."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sesh_verify.bundle import Bundle
from sesh_verify.errors import Broken, amount
from swap.core import bundle_format as fmt
from swap.core.eth_address import EthAddressError, normalize_eth_address
from swap.core.merkle import MerkleDumpError, StandardMerkleTree

HEADER = ["eth_address", "cumulative_sesh_atomic", "bonus_atomic", "claims_atomic"]


@dataclass(frozen=True)
class Entry:
    eth_address: str
    cumulative: int
    bonus: int
    claims: int


def read_entries(bundle: Bundle, path: str) -> list[Entry]:
    """The rows of an entries CSV, each checked: EIP-55 address, amounts, cumulative = bonus + claims, order."""
    check = path
    rows = list(csv.reader(io.StringIO(bundle.text(path), newline="")))
    if not rows or rows[0] != HEADER:
        raise Broken(check, "line 1", f"the header is not {','.join(HEADER)}")
    entries: list[Entry] = []
    for number, row in enumerate(rows[1:], start=2):
        where = f"line {number}"
        if len(row) != 4:
            raise Broken(check, where, f"has {len(row)} fields, not 4")
        try:
            address = normalize_eth_address(row[0])
        except EthAddressError as error:
            raise Broken(check, where, str(error)) from None
        if address != row[0]:
            raise Broken(check, where, f"{row[0]} is not in EIP-55 form ({address})")
        cumulative, bonus, claims = (amount(value, name, check, f"{where} ({address})")
                                     for value, name in zip(row[1:], HEADER[1:], strict=True))
        if cumulative != bonus + claims:
            raise Broken(check, f"{where} ({address})", f"cumulative {cumulative} ≠ bonus {bonus} + claims {claims}")
        if entries and address <= entries[-1].eth_address:
            raise Broken(check, f"{where} ({address})", f"out of order: rows are sorted by address, and it comes "
                                                        f"after {entries[-1].eth_address}")
        entries.append(Entry(address, cumulative, bonus, claims))
    return entries


def check_tree(bundle: Bundle) -> tuple[StandardMerkleTree, list[Entry], str]:
    """The dump rebuilds to the manifest's root; the entries CSV holds exactly the dump's values."""
    manifest = bundle.manifest
    try:
        tree = StandardMerkleTree.load(bundle.files[fmt.DUMP])
    except (MerkleDumpError, ValueError) as error:
        raise Broken("tree", fmt.DUMP, f"not a valid standard-v1 dump: {error}") from None
    if fmt.sha256_hex(bundle.files[fmt.DUMP]) != manifest["dump_sha256"]:
        raise Broken("tree", fmt.DUMP, "its sha256 is not the round's dump_sha256")
    if tree.root_hex != manifest["root"]:
        raise Broken("tree", fmt.DUMP, f"rebuilt root {tree.root_hex} ≠ the round's root {manifest['root']}")
    if len(tree) != manifest["count"] or tree.total != amount(manifest["total_atomic"], "total", "tree", "manifest"):
        raise Broken("tree", fmt.DUMP, f"{len(tree)} accounts, total {tree.total}: not the round's count "
                                       f"{manifest['count']} and total {manifest['total_atomic']}")
    entries = read_entries(bundle, fmt.ENTRIES)
    in_tree = {normalize_eth_address(account): value for account, value in tree.values}
    in_csv = {entry.eth_address: entry.cumulative for entry in entries}
    for address in sorted(set(in_tree) | set(in_csv)):
        if in_tree.get(address) != in_csv.get(address):
            raise Broken(fmt.ENTRIES, address, f"cumulative {in_csv.get(address)} in the CSV, "
                                               f"{in_tree.get(address)} in the dump")
    for name, column in (("bonus", "bonus_total_atomic"), ("claims", "claims_total_atomic")):
        total = sum(getattr(entry, name) for entry in entries)
        if total != amount(manifest[column], column, "tree", "manifest"):
            raise Broken(fmt.ENTRIES, f"{name} column", f"sums to {total}, not the round's {column} "
                                                        f"{manifest[column]}")
    return tree, entries, f"root {tree.root_hex} rebuilt from {len(tree)} accounts, total {tree.total} atomic SESH"


def check_previous(bundle: Bundle, entries: list[Entry]) -> str:
    """No account's cumulative amount falls since the previous round; a pinned bonus column repeats."""
    previous_round = bundle.manifest.get("previous_round")
    if previous_round is None:
        if fmt.PREVIOUS_ENTRIES in bundle.files:
            raise Broken("previous round", fmt.PREVIOUS_ENTRIES, "present, but the manifest names no previous round")
        return "first round: nothing to compare with"
    if fmt.PREVIOUS_ENTRIES not in bundle.files:
        raise Broken("previous round", fmt.PREVIOUS_ENTRIES, "missing")
    before = read_entries(bundle, fmt.PREVIOUS_ENTRIES)
    now = {entry.eth_address: entry for entry in entries}
    for old in before:
        current = now.get(old.eth_address)
        if current is None or current.cumulative < old.cumulative:
            got = 0 if current is None else current.cumulative
            raise Broken("never lower", old.eth_address,
                         f"{old.cumulative} in round {previous_round['round']}, {got} now")
    if any(entry.bonus for entry in before):
        pinned = {entry.eth_address: entry.bonus for entry in before if entry.bonus}
        for address in sorted(set(pinned) | {e.eth_address for e in entries if e.bonus}):
            if pinned.get(address, 0) != (now[address].bonus if address in now else 0):
                raise Broken("pinned bonus", address, f"bonus {pinned.get(address, 0)} in round "
                                                      f"{previous_round['round']}, "
                                                      f"{now[address].bonus if address in now else 0} now")
    return f"no account below round {previous_round['round']} ({len(before)} accounts then)"
