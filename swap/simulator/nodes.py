"""Simulated service nodes and their `get_service_nodes` entries (oxend-rpc.md §2.2, §2.3).

A node is funded once its locked contributions reach the staking requirement, active while
funded and not decommissioned, and gone from the list once deregistered or once the chain reaches
its requested unlock height. Entries are rendered in the v10 (`stable`) shape, or in the Oxen 11
(`dev`) shape with its omissions (`total_reserved` and a contributor's `reserved` only when they
differ, `locked_contributions` only when asked for by name), so the parser sees both.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

STAKING_PORTIONS = 2**64 - 4
TEN_PERCENT_FEE = 1000 * STAKING_PORTIONS // 10000
DOWNTIME_CREDIT_BLOCKS = 1440


def fake_hex(*parts: object) -> str:
    """A deterministic 64-hex value (key image, pubkey, hash) derived from `parts`."""
    return hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()


@dataclass
class Contribution:
    key_image: str
    amount: int


@dataclass
class Contributor:
    address: str
    reserved: int = 0
    locked: list[Contribution] = field(default_factory=list)

    @property
    def amount(self) -> int:
        return sum(c.amount for c in self.locked)


@dataclass
class SimNode:
    """One service node as the simulator's chain holds it."""

    pubkey: str
    staking_requirement: int
    registration_height: int
    state_height: int
    contributors: list[Contributor] = field(default_factory=list)
    portions_for_operator: int = TEN_PERCENT_FEE
    decommissioned: bool = False
    decommission_count: int = 0
    requested_unlock_height: int = 0
    last_reward_block_height: int = 0

    @property
    def operator_address(self) -> str:
        return self.contributors[0].address

    @property
    def total_contributed(self) -> int:
        return sum(c.amount for c in self.contributors)

    @property
    def total_reserved(self) -> int:
        return sum(max(c.reserved, c.amount) for c in self.contributors)

    @property
    def funded(self) -> bool:
        return self.total_contributed >= self.staking_requirement

    @property
    def active(self) -> bool:
        return self.funded and not self.decommissioned

    def contributor(self, address: str) -> Contributor:
        for existing in self.contributors:
            if existing.address == address:
                return existing
        added = Contributor(address)
        self.contributors.append(added)
        return added

    def lock(self, address: str, amount: int) -> None:
        """Add one locked contribution (a new key image) for `address`."""
        contributor = self.contributor(address)
        index = sum(len(c.locked) for c in self.contributors)
        contributor.locked.append(Contribution(fake_hex("key-image", self.pubkey, index), amount))

    def entry(self, *, dialect: str = "v10") -> dict[str, Any]:
        """The full `service_node_states` element for this node."""
        contributors = []
        for c in self.contributors:
            item: dict[str, Any] = {
                "amount": c.amount,
                "reserved": max(c.reserved, c.amount),
                "address": c.address,
                "locked_contributions": [
                    {"key_image": x.key_image, "key_image_pub_key": fake_hex("ki-pub", x.key_image), "amount": x.amount}
                    for x in c.locked
                ],
            }
            if dialect == "v11" and item["reserved"] == item["amount"]:
                del item["reserved"]
            contributors.append(item)
        entry: dict[str, Any] = {
            "service_node_pubkey": self.pubkey,
            "registration_height": self.registration_height,
            "registration_hf_version": 19,
            "requested_unlock_height": self.requested_unlock_height,
            "last_reward_block_height": self.last_reward_block_height,
            "last_reward_transaction_index": 4294967295,
            "active": self.active,
            "funded": self.funded,
            "state_height": self.state_height,
            "decommission_count": self.decommission_count,
            "earned_downtime_blocks": DOWNTIME_CREDIT_BLOCKS,
            "service_node_version": [10, 6, 0],
            "lokinet_version": [0, 9, 11],
            "storage_server_version": [2, 6, 0],
            "contributors": contributors,
            "total_contributed": self.total_contributed,
            "total_reserved": self.total_reserved,
            "staking_requirement": self.staking_requirement,
            "portions_for_operator": self.portions_for_operator,
            "swarm_id": int(self.pubkey[:16], 16),
            "swarm": self.pubkey[:16],
            "operator_address": self.operator_address,
            "public_ip": "10.0.0.1",
            "storage_port": 22021,
            "storage_lmq_port": 22020,
            "quorumnet_port": 22025,
            "pubkey_ed25519": fake_hex("ed25519", self.pubkey),
            "pubkey_x25519": fake_hex("x25519", self.pubkey),
            "last_uptime_proof": 0,
            "storage_server_reachable": True,
            "lokinet_reachable": True,
        }
        if dialect == "v11":
            # "the operator fee expressed in millionths (rounded)"
            entry["operator_fee"] = (self.portions_for_operator * 1_000_000 + STAKING_PORTIONS // 2) // STAKING_PORTIONS
            if entry["total_reserved"] == entry["total_contributed"]:
                del entry["total_reserved"]
        return entry


def requested_fields(fields: Any) -> tuple[set[str] | None, set[str]]:
    """Parse a `fields` param into (names to include or None for all, names to exclude).

    v10 takes a dict `{name: bool}`; Oxen 11 prefers a list with `"all"` and `"-name"`.
    `{"all": true}` and an omitted param both mean every field.
    """
    if fields is None:
        return None, set()
    if isinstance(fields, dict):
        if any(type(v) is not bool for v in fields.values()):
            raise ValueError("fields values must be booleans")
        names = {name for name, wanted in fields.items() if wanted}
        return (None if "all" in names else names), set()
    if isinstance(fields, list) and all(type(v) is str for v in fields):
        excluded = {name[1:] for name in fields if name.startswith("-")}
        names = {name for name in fields if not name.startswith("-")}
        return (None if "all" in names else names), excluded
    raise ValueError("fields must be an object of booleans or a list of names")


def filter_entry(entry: dict[str, Any], include: set[str] | None, exclude: set[str], dialect: str) -> dict[str, Any]:
    """Keep the fields a `fields` param asked for (Oxen 11: locked_contributions only by name)."""
    kept = {k: v for k, v in entry.items() if (include is None or k in include) and k not in exclude}
    wants_locked = include is None or "locked_contributions" in include
    if dialect == "v11" and (not wants_locked or "locked_contributions" in exclude) and "contributors" in kept:
        kept["contributors"] = [
            {k: v for k, v in c.items() if k != "locked_contributions"} for c in kept["contributors"]
        ]
    return kept
