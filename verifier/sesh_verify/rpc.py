"""With `--rpc`: the root, its publishing events and their totals on chain, over plain JSON-RPC.

Only reads: `eth_chainId`, `eth_call` of `merkleRoot()`, `eth_getLogs` of `RootPublished`, and the
receipts of the transactions `chain.json` names. When the contract's events change (a proposed,
then activated root), `root_events` is the one function to adapt.
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
ROOT_PUBLISHED_TOPIC = "0x" + keccak256(b"RootPublished(uint64,bytes32,bytes32,uint256,uint256)").hex()


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


def root_events(rpc: Rpc, distributor: str, root: str) -> list[RootEvent]:
    """Every `RootPublished(roundId, root, previousRoot, total, accounts)` of `root`."""
    logs = rpc.call("eth_getLogs", [{"address": distributor, "fromBlock": "0x0", "toBlock": "latest",
                                     "topics": [ROOT_PUBLISHED_TOPIC, None, root.lower()]}])
    events = []
    for log in logs or []:
        data = bytes.fromhex(log["data"][2:])
        events.append(RootEvent(int(log["topics"][1], 16), int.from_bytes(data[32:64], "big"),
                                int.from_bytes(data[64:96], "big"), log["transactionHash"],
                                int(log["blockNumber"], 16)))
    return events


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
    events = root_events(rpc, distributor, root)
    if not events:
        raise Broken(CHECK, f"root {root}", f"never published by {distributor} on chain {chain_id}")
    for event in events:
        if (event.round_id, event.total, event.accounts) != (manifest["round"], total, count):
            raise Broken(CHECK, f"RootPublished in {event.tx_hash}",
                         f"declares round {event.round_id}, total {event.total}, {event.accounts} accounts; "
                         f"the bundle has round {manifest['round']}, {total}, {count}")
    hashes = {event.tx_hash.lower() for event in events}
    for role in ("proposing", "activating"):
        fact = chain.get(role)
        if fact is None:
            continue
        if fact["tx_hash"].lower() not in hashes:
            raise Broken(CHECK, f"{role} transaction {fact['tx_hash']}", "emitted no RootPublished of this root")
        receipt = rpc.call("eth_getTransactionReceipt", [fact["tx_hash"]])
        if receipt is None or receipt.get("status") != "0x1" or int(receipt["blockNumber"], 16) != fact["block_number"]:
            raise Broken(CHECK, f"{role} transaction {fact['tx_hash']}", "not a successful transaction in block "
                                                                        f"{fact['block_number']}")
    where = ", ".join(f"block {event.block_number} ({event.tx_hash})" for event in events)
    state = "is the distributor's merkleRoot" if current == root else f"was superseded: merkleRoot is now {current}"
    return [f"chain id {chain_id}: root published by {distributor} in {where}, declaring total {total} and "
            f"{count} accounts; it {state}"]
