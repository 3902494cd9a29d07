"""The Service Node Bonus from the snapshots: digests, stake intervals, gaps, backdating, the split."""

from __future__ import annotations

import csv
import io

from sesh_verify.bundle import Bundle
from sesh_verify.entries import Entry
from sesh_verify.errors import Broken, amount
from sesh_verify.registrations import Registration, _time, in_force
from sesh_verify.snapshots import Selection, replay_snapshots
from swap.core import bundle_format as fmt
from swap.core.bonus_allocation import allocate_bonus, earn_from_height


def check_snapshot_digests(bundle: Bundle) -> None:
    """The published `bonus-snapshots.csv` lists every snapshot of the bundle, as final, with its digests."""
    rows = list(csv.reader(io.StringIO(bundle.text(fmt.BONUS_SNAPSHOTS), newline="")))
    if not rows or rows[0] != ["height", "block_hash", "sha256", "final"]:
        raise Broken(fmt.BONUS_SNAPSHOTS, "line 1", "the header is not height,block_hash,sha256,final")
    final = {}
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != 4 or row[3] not in ("true", "false") or not row[0].isdigit():
            raise Broken(fmt.BONUS_SNAPSHOTS, f"line {number}", "not height,block_hash,sha256,final")
        if row[3] == "true":
            final[int(row[0])] = (row[1], row[2])
    shipped = {r["height"]: (r["block_hash"], r["sha256"]) for r in bundle.manifest["snapshots"]}
    for height in sorted(set(final) | set(shipped)):
        if final.get(height) != shipped.get(height):
            raise Broken(fmt.BONUS_SNAPSHOTS, f"snapshot {height}",
                         f"published as {final.get(height)}, in the bundle as {shipped.get(height)}")


def gaps(heights: list[int], start: int, final: int, limit: int) -> list[tuple[int, int]]:
    """Stretches between snapshots (the first from the program start) longer than `limit`, inside the program."""
    found, previous = [], start
    for height in heights:
        if height > start and previous < final and height - previous > limit:
            found.append((previous, height))
        previous = max(previous, height)
    return found


def check_bonus(bundle: Bundle, registrations: dict[int, Registration], entries: list[Entry],
                selection: Selection | None = None) -> list[str]:
    """Stake-blocks per registered address from the snapshots, then the split, against the published files."""
    params = bundle.manifest["parameters"]["bonus"]
    start, final, pool = params["start_height"], params["final_height"], amount(params["pool_atomic"], "pool",
                                                                               "bonus", "manifest")
    check_snapshot_digests(bundle)
    intervals, times, heights, replayed = replay_snapshots(bundle, selection)
    holds = params["holds_bonus"]
    cutoff = _time(bundle.manifest["cutoff"], "manifest", "cutoff")
    paid_at = _time(params["registrations_at"], "manifest", "bonus registrations_at") if holds else cutoff
    if holds:
        at_height = params["at_height"]
        if at_height not in heights or at_height < final:
            raise Broken("bonus", f"at_height {at_height}", f"not a snapshot of the bundle at or past the final "
                                                           f"height {final}: the bonus cannot be in this round yet")
    else:
        at_height = min(heights[-1], final) if heights else start
    registered = in_force(registrations, paid_at)
    backdate = _time(params["backdate_cutoff"], "manifest", "backdate_cutoff")
    earn_from: dict[str, int] = {}
    for address, (_row, first) in registered.items():
        height = earn_from_height(first, cutoff=backdate, program_start_height=start, snapshots=times)
        if height is not None:
            earn_from[address] = height
    allocation = allocate_bonus(intervals, earn_from=earn_from, eth_of={a: r.eth_address for a, (r, _) in
                                                                         registered.items()},
                                start_height=start, final_height=final, at_height=at_height, pool_atomic=pool)
    inputs = list(csv.reader(io.StringIO(bundle.text(fmt.BONUS_INPUTS), newline="")))
    if not inputs or inputs[0] != ["oxen_address", "eth_address", "stake_blocks"]:
        raise Broken(fmt.BONUS_INPUTS, "line 1", "the header is not oxen_address,eth_address,stake_blocks")
    published: dict[str, tuple[int, list[str]]] = {}
    for number, row in enumerate(inputs[1:], start=2):
        if len(row) != 3 or row[0] in published:
            raise Broken(fmt.BONUS_INPUTS, f"line {number}", "not one oxen_address,eth_address,stake_blocks row "
                                                            "per address")
        published[row[0]] = (number, row)
    expected = {address: [address, registered[address][0].eth_address,
                          str(allocation.stake_blocks_by_address.get(address, 0))] for address in registered} \
        if holds else {}
    for address in sorted(set(published) | set(expected)):
        number, row = published.get(address, (None, None))
        if row != expected.get(address):
            where = f"line {number} " if number is not None else ""
            computed = expected.get(address)
            raise Broken(fmt.BONUS_INPUTS, f"{where}({address[:6]}…{address[-6:]})",
                         f"publishes {row[1:] if row else 'no row'}; the snapshots and registrations give "
                         f"{computed[1:] if computed else 'no registered address'}")
    if [row[0] for row in inputs[1:]] != sorted(published):
        raise Broken(fmt.BONUS_INPUTS, "rows", "not in the order of their Oxen addresses")
    published_split = {entry.eth_address.lower(): entry.bonus for entry in entries if entry.bonus}
    computed_split = {eth: sesh for eth, sesh in allocation.sesh_by_eth.items() if sesh} if holds else {}
    for eth in sorted(set(published_split) | set(computed_split)):
        if published_split.get(eth, 0) != computed_split.get(eth, 0):
            raise Broken("bonus split", eth, f"bonus {published_split.get(eth, 0)} in the round, "
                                             f"{computed_split.get(eth, 0)} by largest remainder of "
                                             f"{allocation.stake_blocks_by_eth.get(eth, 0)} stake-blocks")
    flagged = gaps(heights, start, final, params["gap_blocks"])
    earning = len(allocation.stake_blocks_by_address)
    lines = [replayed + f"; {len(intervals)} stake intervals; {len(flagged)} gap(s) over {params['gap_blocks']} "
                        f"blocks (" + (", ".join(f"{a}→{b}" for a, b in flagged[:3]) or "none") + ")",
             f"stake-blocks over [{allocation.start_height}, {allocation.end_height}) for {earning} of "
             f"{len(registered)} registered addresses (backdating cut-off {params['backdate_cutoff']})"]
    if holds:
        lines.append(f"bonus split of {pool} atomic SESH over {len(computed_split)} ETH addresses by largest "
                     f"remainder = the round's bonus column and {fmt.BONUS_INPUTS}")
    else:
        lines.append("the round holds no bonus (the program's end is not final yet): bonus column all zero")
    return lines
