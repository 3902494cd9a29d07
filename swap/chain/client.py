"""The one way to reach the L2 node: a cached client per (URL, chain id), guarded by the chain id.

Everything that talks to the chain goes through `get_client()`. The client speaks plain JSON-RPC
through web3's HTTP provider and hands back the node's JSON (hex strings), not web3's wrapped
objects, so what the outbox stores is exactly what the node said. Every failure comes out typed
(`swap.chain.errors`): callers decide with `except`, never by reading messages.

The chain-id guard: a client is only handed out after the node has answered `eth_chainId` with
`L2_CHAIN_ID`, and workers re-check at start (`swap.chain.tasks`), so a node swapped for another
network (or an RPC URL pointed at mainnet by mistake) stops everything instead of receiving
transactions. Transactions are signed with the chain id too (EIP-155), so even a node that lied
could not replay them elsewhere.
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from web3 import HTTPProvider
from web3.types import RPCEndpoint

from swap.chain.errors import (
    ChainIdMismatchError,
    ChainNotConfiguredError,
    classify_rpc_error,
    classify_transport_error,
)

BlockId = int | str  # a number or a tag: "latest", "finalized", "pending"


def _block_param(block: BlockId) -> str:
    return hex(block) if isinstance(block, int) else block


class ChainClient:
    """JSON-RPC calls to one node, with typed errors. Made by `get_client`, not directly."""

    def __init__(self, url: str, *, chain_id: int, timeout: float) -> None:
        self.url = url
        self.chain_id = chain_id
        self._provider = HTTPProvider(url, request_kwargs={"timeout": timeout}, exception_retry_configuration=None)

    def __repr__(self) -> str:
        # The URL of a hosted node often embeds an API key: show the host only.
        host = self.url.split("//", 1)[-1].split("/", 1)[0].rsplit("@", 1)[-1]
        return f"ChainClient(host={host}, chain_id={self.chain_id})"

    def request(self, method: str, params: list[Any] | None = None) -> Any:
        """Call one JSON-RPC method; return its `result` or raise a typed `ChainError`."""
        try:
            reply = self._provider.make_request(RPCEndpoint(method), params or [])
        except Exception as error:
            raise classify_transport_error(method, error) from None
        if reply.get("error") is not None:
            raise classify_rpc_error(method, reply["error"])
        return reply.get("result")

    # -- reading -----------------------------------------------------------------------------

    def node_chain_id(self) -> int:
        return int(self.request("eth_chainId"), 16)

    def assert_chain_id(self) -> None:
        """Raise `ChainIdMismatchError` unless the node serves `self.chain_id`."""
        actual = self.node_chain_id()
        if actual != self.chain_id:
            raise ChainIdMismatchError(f"the node at {self!r} serves chain id {actual}, L2_CHAIN_ID is {self.chain_id}")

    def block_number(self) -> int:
        return int(self.request("eth_blockNumber"), 16)

    def get_block(self, block: BlockId) -> dict[str, Any] | None:
        """The block header (no transactions), or None when the node has no such block."""
        result: dict[str, Any] | None = self.request("eth_getBlockByNumber", [_block_param(block), False])
        return result

    def get_nonce(self, address: str, block: BlockId = "latest") -> int:
        return int(self.request("eth_getTransactionCount", [address, _block_param(block)]), 16)

    def get_balance(self, address: str, block: BlockId = "latest") -> int:
        return int(self.request("eth_getBalance", [address, _block_param(block)]), 16)

    def get_receipt(self, tx_hash: str) -> dict[str, Any] | None:
        result: dict[str, Any] | None = self.request("eth_getTransactionReceipt", [tx_hash])
        return result

    def get_transaction(self, tx_hash: str) -> dict[str, Any] | None:
        result: dict[str, Any] | None = self.request("eth_getTransactionByHash", [tx_hash])
        return result

    def call(self, to: str, data: str, block: BlockId = "latest") -> str:
        """`eth_call`: run a read-only contract call and return the hex result."""
        return str(self.request("eth_call", [{"to": to, "data": data}, _block_param(block)]))

    def estimate_gas(self, transaction: dict[str, Any]) -> int:
        return int(self.request("eth_estimateGas", [transaction]), 16)

    def max_priority_fee(self) -> int:
        return int(self.request("eth_maxPriorityFeePerGas"), 16)

    def get_logs(self, *, address: str, topics: list[Any], from_block: int, to_block: int) -> list[dict[str, Any]]:
        params = {"address": address, "topics": topics, "fromBlock": hex(from_block), "toBlock": hex(to_block)}
        result: list[dict[str, Any]] = self.request("eth_getLogs", [params])
        return result

    # -- writing -----------------------------------------------------------------------------

    def send_raw_transaction(self, raw: bytes) -> str:
        """Broadcast signed bytes; return the hash the node reports."""
        return str(self.request("eth_sendRawTransaction", ["0x" + raw.hex()]))


@functools.lru_cache(maxsize=8)
def _cached_client(url: str, chain_id: int, timeout: float) -> ChainClient:
    client = ChainClient(url, chain_id=chain_id, timeout=timeout)
    client.assert_chain_id()
    return client


def get_client() -> ChainClient:
    """Return the client for the configured node, checking its chain id on first use.

    Cached per (URL, chain id) so each process opens one HTTP session; a failed chain-id check
    is not cached, so a node that comes back right is accepted on the next call.
    """
    url = settings.L2_RPC_URL
    if not url:
        raise ChainNotConfiguredError("L2_RPC_URL is not set: no L2 node configured")
    return _cached_client(url, int(settings.L2_CHAIN_ID), float(settings.L2_RPC_TIMEOUT_SECONDS))


def read_only_client(url: str) -> ChainClient:
    """A client for reading any node (the `verify_round` command): no chain-id guard, never signs."""
    client = ChainClient(url, chain_id=0, timeout=float(settings.L2_RPC_TIMEOUT_SECONDS))
    client.chain_id = client.node_chain_id()
    return client


def reset_clients() -> None:
    """Forget cached clients (tests that start another node; a worker after a config change)."""
    _cached_client.cache_clear()
