"""With `--rpc`: the root, its proposal and activation events and their totals on chain, over plain JSON-RPC.

A root is proposed (`RootProposed`), then activated after the public delay (`RootPublished`),
unless a guardian vetoed it (`vetoed(root)`). Only reads: `eth_chainId`, `eth_call` of
`merkleRoot()` and `vetoed(bytes32)`, `eth_getLogs` of both events, and the receipts of the
transactions `chain.json` names.
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from typing import Any

from sesh_verify.bundle import Bundle
from sesh_verify.errors import Broken
from swap.core.keccak import keccak256

CHECK = "chain"
MERKLE_ROOT_SELECTOR = "0x2eb4a7ab"  # merkleRoot()
VETOED_SELECTOR = "0x" + keccak256(b"vetoed(bytes32)")[:4].hex()
ROOT_PUBLISHED_TOPIC = "0x" + keccak256(b"RootPublished(uint64,bytes32,bytes32,uint256,uint256)").hex()
ROOT_PROPOSED_TOPIC = "0x" + keccak256(b"RootProposed(uint64,bytes32,uint256,uint256,uint64)").hex()
# Where each event's data holds (total, accounts): after previousRoot, or first.
FIGURES_AT = {ROOT_PUBLISHED_TOPIC: 32, ROOT_PROPOSED_TOPIC: 0}
EVENT_NAMES = {ROOT_PUBLISHED_TOPIC: "RootPublished", ROOT_PROPOSED_TOPIC: "RootProposed"}


class Rpc:
    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self.url, self.timeout, self._id = url, timeout, 0

    def call(self, method: str, params: list[Any]) -> Any:
        self._id += 1
        body = json.dumps({"jsonrpc": "2.0", "id": self._id, "method": method, "params": params}).encode()
        request = urllib.request.Request(self.url, body, {"content-type": "application/json"})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - the user's URL
                answer = json.loads(response.read())
        except (OSError, ValueError) as error:
            raise Broken(CHECK, self.url, f"{method} failed: {error}") from None
        if "error" in answer:
            raise Broken(CHECK, self.url, f"{method} answered {answer['error']}")
        return answer.get("result")


@dataclass(frozen=True)
class RootEvent:
    round_id: int
    total: int
    accounts: int
    tx_hash: str
    block_number: int


def root_events(rpc: Rpc, distributor: str, root: str, topic: str = ROOT_PUBLISHED_TOPIC) -> list[RootEvent]:
    """Every `RootPublished` (or, with `topic`, `RootProposed`) of `root`, with the figures it declares."""
    logs = rpc.call("eth_getLogs", [{"address": distributor, "fromBlock": "0x0", "toBlock": "latest",
                                     "topics": [topic, None, root.lower()]}])
    at = FIGURES_AT[topic]
    events = []
    for log in logs or []:
        data = bytes.fromhex(log["data"][2:])
        events.append(RootEvent(int(log["topics"][1], 16), int.from_bytes(data[at:at + 32], "big"),
                                int.from_bytes(data[at + 32:at + 64], "big"), log["transactionHash"],
                                int(log["blockNumber"], 16)))
    return events


def _check_figures(events: list[RootEvent], topic: str, manifest: dict[str, Any], total: int, count: int) -> None:
    for event in events:
        if (event.round_id, event.total, event.accounts) != (manifest["round"], total, count):
            raise Broken(CHECK, f"{EVENT_NAMES[topic]} in {event.tx_hash}",
                         f"declares round {event.round_id}, total {event.total}, {event.accounts} accounts; "
                         f"the bundle has round {manifest['round']}, {total}, {count}")


def check_chain(bundle: Bundle, url: str) -> list[str]:
    manifest, chain = bundle.manifest, bundle.chain or {}
    rpc = Rpc(url)
    chain_id = int(rpc.call("eth_chainId", []), 16)
    expected_id = chain.get("chain_id", manifest["chain"]["chain_id"])
    if chain_id != expected_id:
        raise Broken(CHECK, url, f"chain id {chain_id}, the round is on {expected_id}")
    distributor = chain.get("distributor") or manifest["chain"]["distributor"]
    if not distributor:
        raise Broken(CHECK, "distributor", "neither chain.json nor the manifest names the distributor")
    root, total, count = manifest["root"], int(manifest["total_atomic"]), manifest["count"]
    current = rpc.call("eth_call", [{"to": distributor, "data": MERKLE_ROOT_SELECTOR}, "latest"])
    vetoed = rpc.call("eth_call", [{"to": distributor, "data": VETOED_SELECTOR + root[2:].lower()}, "latest"])
    if int(vetoed, 16):
        raise Broken(CHECK, f"root {root}", f"was vetoed by the guardian of {distributor}: it is never claimable")
    proposals = root_events(rpc, distributor, root, ROOT_PROPOSED_TOPIC)
    events = root_events(rpc, distributor, root)
    if not proposals:
        raise Broken(CHECK, f"root {root}", f"never proposed to {distributor} on chain {chain_id}")
    _check_figures(proposals, ROOT_PROPOSED_TOPIC, manifest, total, count)
    _check_figures(events, ROOT_PUBLISHED_TOPIC, manifest, total, count)
    if not events:
        last = proposals[-1]
        return [f"chain id {chain_id}: root proposed to {distributor} in block {last.block_number} "
                f"({last.tx_hash}), declaring total {total} and {count} accounts; not activated yet"]
    for role, found, event_name in (("proposing", proposals, "RootProposed"), ("activating", events, "RootPublished")):
        fact = chain.get(role)
        if fact is None:
            continue
        if fact["tx_hash"].lower() not in {event.tx_hash.lower() for event in found}:
            raise Broken(CHECK, f"{role} transaction {fact['tx_hash']}", f"emitted no {event_name} of this root")
        receipt = rpc.call("eth_getTransactionReceipt", [fact["tx_hash"]]) or {}
        block = fact.get("block_number")
        in_block = block is None or int(receipt.get("blockNumber", "0x0"), 16) == block
        if receipt.get("status") != "0x1" or not in_block:
            raise Broken(CHECK, f"{role} transaction {fact['tx_hash']}", "not a successful transaction in block "
                                                                        f"{fact.get('block_number')}")
    where = ", ".join(f"block {event.block_number} ({event.tx_hash})" for event in events)
    state = "is the distributor's merkleRoot" if current == root else f"was superseded: merkleRoot is now {current}"
    return [f"chain id {chain_id}: root published by {distributor} in {where}, declaring total {total} and "
            f"{count} accounts; it {state}"]
