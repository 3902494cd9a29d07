"""The bundled snapshot history: 5½ days of a generated, realistic Oxen mainnet service-node list.

`python -m swap.demo.history` regenerates `swap/demo/data/history.tar.xz` byte for byte (fixed
seed, fixed tar metadata); the archive is committed so the demo imports a *recording*, exactly
as an operator imports recorded `get_service_nodes` files with `manage.py import_snapshots`.

What it holds: one file per snapshot, `snapshots/<height>.json`, each a `get_service_nodes`
result (the fields the capture task asks for) plus its `block_timestamp`. Snapshots every 30
blocks from height 1,416,959 to 1,420,919 (3,960 blocks), around the program's real start height
1,417,199, with an oxend outage (no snapshot for 120 blocks) that admin flags as a gap. About
210 nodes at the start; meanwhile nodes join (solo, or awaiting and then filled by later
contributions), nodes are decommissioned and recommissioned, a few are deregistered,
others ask to unlock (some leave inside the window). Operators and contributors are the
deterministic wallets of `swap.demo.wallets`, so the demo can sign for any of them.

Block hashes and timestamps follow the Oxen simulator's chain (`swap.simulator.chain`): the
simulator serves this recording with these hashes, so the capture task can confirm the imported
snapshots against "the chain" and make them final.
"""

from __future__ import annotations

import hashlib
import io
import json
import lzma
import random
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from swap.demo.wallets import demo_wallet
from swap.simulator.chain import GENESIS_TIMESTAMP, MAINNET_STAKING_REQUIREMENT, TARGET_BLOCK_SECONDS
from swap.simulator.nodes import TEN_PERCENT_FEE, fake_hex

ARCHIVE = Path(__file__).resolve().parent / "data" / "history.tar.xz"
SEED = "oxen-swap demo history v1"
FIRST_HEIGHT = 1_416_959
STEP_BLOCKS = 30  # SNB_GAP_BLOCKS: a longer interval is flagged
SNAPSHOTS = 133  # indices 0..132: heights FIRST_HEIGHT .. FIRST_HEIGHT + 132 × 30
OUTAGE = range(90, 93)  # no snapshot at these indices: a 120-block gap
# The demo's program window: the real start height, and five days of 720 blocks after it.
PROGRAM_START_HEIGHT = 1_417_199
PROGRAM_FINAL_HEIGHT = PROGRAM_START_HEIGHT + 5 * 720
UNLOCK_DELAY_BLOCKS = 10_800
OXEN = 10**9
REQUIREMENT = MAINNET_STAKING_REQUIREMENT
# Big operators (wallets 0..11) run several nodes each; wallets 12.. run one. Contributors come
# from wallets 100..299; wallets 300.. never stake (the demo uses them as coin holders).
BIG_OPERATOR_NODES = (12, 9, 8, 6, 5, 5, 4, 4, 3, 3, 2, 2)
SINGLE_OPERATORS = range(12, 161)
CONTRIBUTORS = range(100, 300)
STAKING_WALLETS = 300


def block_hash(height: int) -> str:
    """The simulator's hash of an un-reorganized block (seed "oxen-simulator", generation 0)."""
    return hashlib.sha256(f"oxen-simulator:{height}:0".encode()).hexdigest()


def block_timestamp(height: int) -> int:
    return GENESIS_TIMESTAMP + TARGET_BLOCK_SECONDS * height


def snapshot_height(index: int) -> int:
    return FIRST_HEIGHT + STEP_BLOCKS * index


@dataclass
class _Node:
    number: int
    registration_height: int
    state_height: int
    stakes: list[tuple[int, int]] = field(default_factory=list)  # (wallet index, atomic), operator first
    decommissioned: bool = False
    decommission_count: int = 0
    requested_unlock_height: int = 0

    @property
    def pubkey(self) -> str:
        return fake_hex("demo-node", self.number)

    @property
    def total(self) -> int:
        return sum(amount for _, amount in self.stakes)

    @property
    def funded(self) -> bool:
        return self.total >= REQUIREMENT

    @property
    def active(self) -> bool:
        return self.funded and not self.decommissioned

    def entry(self) -> dict[str, Any]:
        """The node as `get_service_nodes` shows it (the capture task's fields)."""
        contributors: dict[int, dict[str, Any]] = {}
        for position, (wallet, amount) in enumerate(self.stakes):
            item = contributors.setdefault(wallet, {
                "amount": 0, "reserved": 0, "address": demo_wallet(wallet).address, "locked_contributions": []})
            key_image = fake_hex("demo-key-image", self.number, position)
            item["amount"] += amount
            item["reserved"] += amount
            item["locked_contributions"].append({"key_image": key_image, "amount": amount})
        return {
            "service_node_pubkey": self.pubkey,
            "registration_height": self.registration_height,
            "requested_unlock_height": self.requested_unlock_height,
            "active": self.active,
            "funded": self.funded,
            "state_height": self.state_height,
            "earned_downtime_blocks": 1440 if self.active else 720,
            "staking_requirement": REQUIREMENT,
            "total_contributed": self.total,
            "total_reserved": self.total,
            "portions_for_operator": TEN_PERCENT_FEE,
            "operator_address": demo_wallet(self.stakes[0][0]).address,
            "contributors": list(contributors.values()),
        }


class _World:
    """The generator's state: nodes by number, a seeded random source, events by snapshot index."""

    def __init__(self) -> None:
        self.rng = random.Random(SEED)  # noqa: S311 -- reproducible sample data, not security
        self.nodes: dict[int, _Node] = {}
        self.events: dict[int, list[tuple[str, int]]] = {}
        self.height = FIRST_HEIGHT
        self.registered = 0  # node numbers are never reused, even after a node left

    def odd_amount(self, low: int, high: int) -> int:
        """Whole OXEN between low and high plus odd atomic units, as real contributions have."""
        return self.rng.randint(low, high) * OXEN + self.rng.randrange(OXEN)

    def new_node(self, operator: int, registration_height: int, *, solo: bool, filled: bool = True) -> _Node:
        self.registered += 1
        node = _Node(self.registered, registration_height, registration_height)
        if solo:
            node.stakes.append((operator, REQUIREMENT))
        else:
            node.stakes.append((operator, self.odd_amount(3_750, 9_000)))
            if filled:
                self.fill(node)
        self.nodes[node.number] = node
        return node

    def fill(self, node: _Node, *, parts: int | None = None) -> None:
        """Contributors lock the rest of the stake in 1-4 parts (the last part fills it exactly)."""
        parts = parts or self.rng.randint(1, 4)
        for part in range(parts):
            left = REQUIREMENT - node.total
            share = left if part == parts - 1 else self.rng.randrange(left // 4, left // 2)
            node.stakes.append((self.rng.choice(CONTRIBUTORS), share))

    def at(self, index: int, kind: str, number: int = 0) -> None:
        self.events.setdefault(index, []).append((kind, number))

    def active_nodes(self) -> list[_Node]:
        return [n for n in self.nodes.values() if n.active and not n.requested_unlock_height]


def _initial(world: _World) -> None:
    rng = world.rng
    operators = [w for w, count in enumerate(BIG_OPERATOR_NODES) for _ in range(count)] + list(SINGLE_OPERATORS)
    for operator in operators:
        world.new_node(operator, rng.randint(700_000, 1_410_000), solo=rng.random() < 0.45)
    numbers = sorted(world.nodes)
    for number in rng.sample(numbers, 3):  # decommissioned when the recording starts
        node = world.nodes[number]
        node.decommissioned, node.decommission_count = True, 1
        world.at(rng.randint(2, 40), "recommission", number)
    for number in rng.sample(numbers, 8):  # asked to unlock 15 days ago or less: some leave meanwhile
        world.nodes[number].requested_unlock_height = FIRST_HEIGHT + rng.randint(200, 6_000)
    for operator in range(161, 166):  # awaiting contributors when the recording starts
        node = world.new_node(operator, FIRST_HEIGHT - rng.randint(10, 600), solo=False, filled=False)
        if operator < 164:
            world.at(rng.randint(3, 110), "contribute", node.number)


def _schedule(world: _World) -> None:
    rng = world.rng
    for operator in range(166, 182):  # joins during the recording
        world.at(rng.randint(1, SNAPSHOTS - 2), "join", operator)
    for _ in range(16):
        world.at(rng.randint(1, SNAPSHOTS - 2), "decommission")
    for _ in range(10):
        world.at(rng.randint(1, SNAPSHOTS - 2), "request_unlock")


def _apply(world: _World, index: int, kind: str, number: int) -> None:
    rng, height = world.rng, world.height
    if kind == "join":
        solo = rng.random() < 0.4
        node = world.new_node(number, height, solo=solo, filled=False)
        if not solo and number < 180:  # the last two never find enough contributors
            world.at(index + rng.randint(1, 12), "contribute", node.number)
    elif kind == "contribute":
        node = world.nodes[number]
        node.stakes.append((rng.choice(CONTRIBUTORS), (REQUIREMENT - node.total) // 2 + rng.randrange(OXEN)))
        world.at(index + rng.randint(1, 8), "fill", number)
    elif kind == "fill":
        node = world.nodes[number]
        world.fill(node, parts=1)
        node.state_height = height
    elif kind == "decommission":
        node = rng.choice(world.active_nodes())
        node.decommissioned, node.state_height = True, height
        node.decommission_count += 1
        world.at(index + rng.randint(1, 12), "deregister" if rng.random() < 0.15 else "recommission", node.number)
    elif kind == "recommission":
        node = world.nodes[number]
        node.decommissioned, node.state_height = False, height
    elif kind == "deregister":
        del world.nodes[number]
    elif kind == "request_unlock":
        rng.choice(world.active_nodes()).requested_unlock_height = height + UNLOCK_DELAY_BLOCKS


def generate_history() -> Iterator[dict[str, Any]]:
    """Every recorded result, in height order (deterministic: same output on every run)."""
    world = _World()
    _initial(world)
    _schedule(world)
    for index in range(SNAPSHOTS):
        world.height = snapshot_height(index)
        for kind, number in world.events.pop(index, []):
            _apply(world, index, kind, number)
        for number in [n for n, node in world.nodes.items() if 0 < node.requested_unlock_height <= world.height]:
            del world.nodes[number]
        if index in OUTAGE:
            continue
        yield {
            "height": world.height,
            "block_hash": block_hash(world.height),
            "block_timestamp": block_timestamp(world.height),
            "hardfork": 19,
            "status": "OK",
            "service_node_states": [node.entry() for node in world.nodes.values()],
        }


def write_archive(path: Path = ARCHIVE) -> int:
    """Write the recording as a reproducible tar.xz (no times, owners or modes from this machine)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    count = 0
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for result in generate_history():
            data = json.dumps(result, separators=(",", ":")).encode()
            info = tarfile.TarInfo(f"snapshots/{result['height']}.json")
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            archive.addfile(info, io.BytesIO(data))
            count += 1
    path.write_bytes(lzma.compress(buffer.getvalue(), preset=9))
    return count


def extract_archive(destination: Path, archive: Path = ARCHIVE) -> list[Path]:
    """Unpack the recorded snapshot files into `destination`; returns them in height order."""
    destination.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, mode="r:xz") as tar:
        tar.extractall(destination, filter="data")
    files = list((destination / "snapshots").glob("*.json"))
    return sorted(files, key=lambda path: int(path.stem))


if __name__ == "__main__":
    written = write_archive()
    print(f"wrote {written} snapshots to {ARCHIVE} ({ARCHIVE.stat().st_size:,} bytes)")
