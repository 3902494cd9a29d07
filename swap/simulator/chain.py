"""The simulated Oxen chain: blocks, service nodes, emission, reorgs and recorded-history replay.

Blocks are not stored one by one: a chain of 1.4 million blocks is a length plus a few overrides.
A block's hash is derived from the height and the number of reorgs that replaced it, so every
reorg gives the replaced heights new hashes; timestamps default to 120 s apart. Service-node
changes (register, fund, decommission, …) take effect at the current top block, which is what a
`get_service_nodes` call made now would show.

A reorg rewinds blocks, the wallet's transfers and a replayed node list, not scripted
service-node changes (a test scripts those explicitly). Every public method takes the chain's
lock: the HTTP handler threads read under the same lock, so a test thread may mutate the chain
while a client polls it.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ParamSpec, TypeVar

from swap.core.amounts import ATOMIC_PER_OXEN
from swap.simulator.nodes import SimNode, fake_hex

BLOCK_REWARD = 18_333_333_333  # HF17+ (oxen_economy.h BLOCK_REWARD_HF17)
MAINNET_STAKING_REQUIREMENT = 15_000 * ATOMIC_PER_OXEN
TESTNET_STAKING_REQUIREMENT = 100 * ATOMIC_PER_OXEN  # testnet, devnet and the other test networks
UNLOCK_DELAY_BLOCKS = 10_800  # 15 days of 2-minute blocks
TARGET_BLOCK_SECONDS = 120
GENESIS_TIMESTAMP = 1_525_000_000
NETTYPES = ("mainnet", "testnet", "devnet", "stagenet", "localdev")

P = ParamSpec("P")
R = TypeVar("R")


class SimulationError(ValueError):
    """A scripted change that cannot happen on a real chain (the control API answers 400)."""


def locked(method: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with args[0].lock:  # type: ignore[attr-defined]
            return method(*args, **kwargs)

    return wrapper


class SimChain:
    """Chain state shared by the simulated oxend and wallet."""

    def __init__(
        self,
        *,
        nettype: str = "mainnet",
        length: int = 1,
        seed: str = "oxen-simulator",
        immutable_depth: int = 10,
        dialect: str = "v10",
        unlock_delay: int = UNLOCK_DELAY_BLOCKS,
    ) -> None:
        if nettype not in NETTYPES:
            raise SimulationError(f"unknown nettype {nettype!r}")
        if dialect not in ("v10", "v11"):
            raise SimulationError("dialect must be 'v10' or 'v11'")
        if length < 1:
            raise SimulationError("a chain has at least its genesis block")
        self.lock = threading.RLock()
        self.nettype = nettype
        self.dialect = dialect
        self.seed = seed
        self.immutable_depth = immutable_depth
        self.unlock_delay = unlock_delay
        self.staking_requirement = MAINNET_STAKING_REQUIREMENT if nettype == "mainnet" else TESTNET_STAKING_REQUIREMENT
        self.length = length
        self._forks: list[int] = []  # fork heights of past reorgs, sorted
        self._hashes: dict[int, str] = {}  # recorded or scripted block hashes
        self._timestamps: dict[int, int] = {}
        self.nodes: dict[str, SimNode] = {}
        self._recorded: dict[int, dict[str, Any]] = {}  # height -> recorded get_service_nodes result
        self._recorded_heights: list[int] = []  # sorted
        self._recorded_states: list[dict[str, Any]] | None = None  # replay mode: current node list
        self._economics: dict[int, tuple[int, int, int]] = {}  # height -> (emission, fee, burn)
        self._scripted_sums: dict[tuple[int, int], tuple[int, int, int]] = {}
        self._reorg_listeners: list[Callable[[int], None]] = []
        self._registrations = 0

    # --- blocks -------------------------------------------------------------------------------

    @property
    def top_height(self) -> int:
        return self.length - 1

    @property
    def immutable_height(self) -> int:
        return max(0, self.top_height - self.immutable_depth)

    @locked
    def block_hash(self, height: int) -> str:
        self._check_height(height)
        if height in self._hashes:
            return self._hashes[height]
        generation = bisect_right(self._forks, height)
        return hashlib.sha256(f"{self.seed}:{height}:{generation}".encode()).hexdigest()

    @locked
    def timestamp(self, height: int) -> int:
        self._check_height(height)
        return self._timestamps.get(height, GENESIS_TIMESTAMP + TARGET_BLOCK_SECONDS * height)

    def _check_height(self, height: int) -> None:
        if not 0 <= height < self.length:
            raise SimulationError(f"no block at height {height} (chain length {self.length})")

    @locked
    def add_blocks(self, count: int = 1, *, timestamps: Sequence[int] | None = None) -> int:
        """Append `count` blocks (optionally with explicit timestamps); returns the new top height.

        Nodes whose requested unlock height is reached leave the list; in replay mode the latest
        recording at or below the new top becomes the current node list.
        """
        if count < 1 or (timestamps is not None and len(timestamps) != count):
            raise SimulationError("count must be >= 1 and match the timestamps given")
        first = self.length
        self.length += count
        if timestamps is not None:
            self._timestamps.update(zip(range(first, self.length), timestamps, strict=True))
        self._replay_through(first)
        for pubkey in [p for p, n in self.nodes.items() if 0 < n.requested_unlock_height <= self.top_height]:
            del self.nodes[pubkey]
        return self.top_height

    @locked
    def reorg(self, fork_height: int, new_length: int | None = None) -> int:
        """Replace every block from `fork_height` on; the chain then has `new_length` blocks.

        Replaced heights get new hashes; listeners (the wallet) drop what was mined there.
        A fork at or below the immutable height is refused, as oxend's checkpoints would.
        """
        if not self.immutable_height < fork_height < self.length:
            raise SimulationError(
                f"fork height must be above the immutable height {self.immutable_height} and below {self.length}"
            )
        new_length = self.length if new_length is None else new_length
        if new_length < fork_height:
            raise SimulationError("the new chain cannot be shorter than the fork height")
        self._forks.append(fork_height)
        self._forks.sort()
        for stored in (self._hashes, self._timestamps):
            for height in [h for h in stored if h >= fork_height]:
                del stored[height]
        self.length = fork_height
        self._replay_through(fork_height)
        for listener in self._reorg_listeners:
            listener(fork_height)
        if new_length > fork_height:
            self.add_blocks(new_length - fork_height)
        return self.top_height

    def on_reorg(self, listener: Callable[[int], None]) -> None:
        self._reorg_listeners.append(listener)

    # --- service nodes ------------------------------------------------------------------------

    def _live(self) -> None:
        if self._recorded_states is not None:
            raise SimulationError("the node list is replayed from a recording and cannot be scripted")

    def _node(self, pubkey: str) -> SimNode:
        self._live()
        try:
            return self.nodes[pubkey]
        except KeyError:
            raise SimulationError(f"no service node {pubkey}") from None

    @locked
    def register_node(
        self,
        contributions: Iterable[Sequence[Any]],
        *,
        pubkey: str | None = None,
        reserved: Iterable[Sequence[Any]] = (),
        portions_for_operator: int | None = None,
    ) -> str:
        """Register a node; the first contribution is the operator's. Returns its pubkey."""
        self._live()
        contributions = [(str(address), int(amount)) for address, amount in contributions]
        if not contributions or any(amount <= 0 for _, amount in contributions):
            raise SimulationError("a registration needs the operator's positive contribution first")
        self._registrations += 1
        pubkey = pubkey or fake_hex("service-node", self.seed, self._registrations)
        if pubkey in self.nodes:
            raise SimulationError(f"service node {pubkey} already exists")
        node = SimNode(pubkey, self.staking_requirement, self.top_height, self.top_height)
        if portions_for_operator is not None:
            node.portions_for_operator = portions_for_operator
        for address, amount in contributions:  # the operator's first: it is contributors[0]
            node.lock(address, amount)
        for address, amount in reserved:
            node.contributor(str(address)).reserved = int(amount)
        if node.total_contributed > self.staking_requirement:
            raise SimulationError("contributions exceed the staking requirement")
        if node.funded:
            node.last_reward_block_height = self.top_height
        self.nodes[pubkey] = node
        return pubkey

    @locked
    def contribute(self, pubkey: str, address: str, amount: int) -> bool:
        """Lock another contribution into an awaiting node; returns whether it is now funded."""
        node = self._node(pubkey)
        if node.funded:
            raise SimulationError("the node is already fully funded")
        if amount <= 0 or node.total_contributed + amount > node.staking_requirement:
            raise SimulationError("a contribution must be positive and fit in the remaining stake")
        node.lock(address, amount)
        if node.funded:
            node.state_height = node.last_reward_block_height = self.top_height
        return node.funded

    @locked
    def decommission(self, pubkey: str) -> None:
        node = self._node(pubkey)
        if not node.active:
            raise SimulationError("only an active node can be decommissioned")
        node.decommissioned = True
        node.decommission_count += 1
        node.state_height = self.top_height

    @locked
    def recommission(self, pubkey: str) -> None:
        node = self._node(pubkey)
        if not node.decommissioned:
            raise SimulationError("the node is not decommissioned")
        node.decommissioned = False
        node.state_height = node.last_reward_block_height = self.top_height

    @locked
    def request_unlock(self, pubkey: str, delay: int | None = None) -> int:
        """Ask to unlock; the node keeps its state until the returned height, then leaves."""
        node = self._node(pubkey)
        if node.requested_unlock_height:
            raise SimulationError("an unlock is already requested")
        node.requested_unlock_height = self.top_height + (self.unlock_delay if delay is None else delay)
        return node.requested_unlock_height

    @locked
    def deregister(self, pubkey: str) -> None:
        self._node(pubkey)
        del self.nodes[pubkey]

    @locked
    def service_node_entries(self) -> list[dict[str, Any]]:
        """The current `service_node_states` (recorded ones in replay mode), full fields."""
        if self._recorded_states is not None:
            return [dict(entry) for entry in self._recorded_states]
        return [node.entry(dialect=self.dialect) for node in self.nodes.values()]

    # --- recorded history ---------------------------------------------------------------------

    @locked
    def load_history(self, results: Sequence[dict[str, Any]]) -> None:
        """Replay recorded `get_service_nodes` results, the first one as the current state.

        The chain is cut to end at the first recorded height; each later recorded height takes
        effect when `add_blocks` reaches it, with its recorded block hash.
        """
        if self.nodes or not results:
            raise SimulationError("history needs a fresh chain and at least one recorded result")
        ordered = sorted(results, key=lambda r: r["height"])
        heights = [r["height"] for r in ordered]
        if len(set(heights)) != len(heights):
            raise SimulationError("two recorded results have the same height")
        self._recorded = {r["height"]: r for r in ordered}
        self._recorded_heights = heights
        self.length = heights[0] + 1
        self._replay_through(heights[0])

    def _replay_through(self, first: int) -> None:
        """Apply the recordings at heights first…top (their hashes) and the latest node list.

        A reorg in replay mode rewinds the node list too, but re-added recorded heights get their
        recorded hashes back: a recording cannot say what a different chain would have held.
        """
        heights = self._recorded_heights
        end = bisect_right(heights, self.top_height)
        for height in heights[bisect_left(heights, first) : end]:
            self._hashes[height] = self._recorded[height]["block_hash"]
        if end:
            self._recorded_states = self._recorded[heights[end - 1]]["service_node_states"]

    # --- emission -----------------------------------------------------------------------------

    @locked
    def set_block_economics(self, height: int, emission: int = BLOCK_REWARD, fee: int = 0, burn: int = 0) -> None:
        """Override one block's emission, fees and burn (default: BLOCK_REWARD, 0, 0)."""
        self._economics[height] = (emission, fee, burn)

    @locked
    def script_coinbase_sum(self, height: int, count: int, emission: int, fee: int, burn: int) -> None:
        """Make `get_coinbase_tx_sum(height, count)` answer exactly these amounts."""
        self._scripted_sums[(height, count)] = (emission, fee, burn)

    @locked
    def coinbase_sum(self, height: int, count: int) -> tuple[int, int, int]:
        """(emission, fee, burn) over blocks [height, height + count) that exist."""
        if (height, count) in self._scripted_sums:
            return self._scripted_sums[(height, count)]
        end = min(self.length, height + count)
        blocks = max(0, end - height)
        emission, fee, burn = BLOCK_REWARD * blocks, 0, 0
        for h, (e, f, b) in self._economics.items():
            if height <= h < end:
                emission += e - BLOCK_REWARD
                fee += f
                burn += b
        return emission, fee, burn
