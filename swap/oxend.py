"""The oxend JSON-RPC client: service-node snapshots, heights, block headers and supply.

Shared infrastructure beside the transport (`swap.oxen_rpc`): the bonus captures snapshots with it
and the claims read the supply, so it belongs to neither program.

oxend answers errors with HTTP 200, in two shapes: a JSON-RPC `error` object, and a `result`
whose `status` is not `"OK"` (`get_coinbase_tx_sum` says `"BUSY"` while it builds its cache).
Both are checked on every call. Transient failures are retried with backoff (connection errors,
timeouts, HTTP 5xx, -32003 server busy, -9 core busy, `status: "BUSY"`, and `untrusted: true`,
which means a bootstrap daemon answered and its data must not be snapshotted); everything else
(-32601, -32602, -1 wrong param, -2 height too big, 403 admin-only, another status) is permanent.

The first call of a client checks `get_info.nettype` against the configured network, so a worker
pointed at a testnet node refuses to record anything. Heights keep oxend's meaning: `get_info` and
`get_height` give the chain length, `get_service_nodes` the top block's height.
"""

from __future__ import annotations

from typing import Any

import requests

from swap.oxen_rpc import ErrorTypes, JsonRpcHttp, RetryPolicy
from swap.oxend_errors import OxendNetworkMismatch, OxendPermanentError, OxendTransientError

SERVER_BUSY = -32003
CORE_BUSY = -9
OXEND_ERRORS = ErrorTypes(OxendTransientError, OxendPermanentError, frozenset({SERVER_BUSY, CORE_BUSY}))

# The portable `fields` request: the dict form works on v10 and Oxen 11; v10 ignores
# `locked_contributions` (already nested in contributors), Oxen 11 needs it by name. The
# top-level height and block_hash are governed by `fields` too, so they are asked for explicitly.
SNAPSHOT_FIELDS: dict[str, bool] = dict.fromkeys(
    (
        "service_node_pubkey",
        "registration_height",
        "requested_unlock_height",
        "active",
        "funded",
        "state_height",
        "earned_downtime_blocks",
        "staking_requirement",
        "total_contributed",
        "total_reserved",
        "portions_for_operator",
        "operator_address",
        "contributors",
        "locked_contributions",
        "pubkey_ed25519",
        "last_uptime_proof",
        "height",
        "block_hash",
        "hardfork",
    ),
    True,
)


def _check_result(method: str, result: dict[str, Any]) -> None:
    status = result.get("status")
    if status == "BUSY":
        raise OxendTransientError('status "BUSY"', method=method)
    if status != "OK":
        raise OxendPermanentError(f"status {status!r}", method=method)
    if result.get("untrusted") is True:
        raise OxendTransientError("answered by an untrusted bootstrap daemon", method=method)


def _require_ints(method: str, result: dict[str, Any], *names: str) -> None:
    for name in names:
        if type(result.get(name)) is not int:
            raise OxendPermanentError(f"result has no integer {name!r}", method=method)


class OxendClient:
    """One oxend peer. Build it once per process (a cached factory) and reuse its session."""

    def __init__(
        self,
        url: str,
        *,
        network: str = "mainnet",
        auth: tuple[str, str] | None = None,
        connect_timeout: float = 3.05,
        read_timeout: float = 10.0,
        long_read_timeout: float = 120.0,
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.network = network
        self.long_read_timeout = long_read_timeout
        self._rpc = JsonRpcHttp(
            url,
            OXEND_ERRORS,
            auth=auth,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retry=retry,
            session=session,
            id_prefix="oxend",
        )
        self._network_checked = False

    def _call(self, method: str, params: dict[str, Any] | None = None, *, slow: bool = False) -> dict[str, Any]:
        if not self._network_checked:
            self.get_info()
        timeout = self.long_read_timeout if slow else None
        return self._rpc.call(method, params, read_timeout=timeout, check_result=_check_result)

    def get_info(self) -> dict[str, Any]:
        """`get_info`; the first call also checks that `nettype` is the configured network."""
        info = self._rpc.call("get_info", check_result=_check_result)
        if not self._network_checked:
            if info.get("nettype") != self.network:
                raise OxendNetworkMismatch(
                    f"oxend runs on {info.get('nettype')!r}, the service is configured for {self.network!r}",
                    method="get_info",
                )
            self._network_checked = True
        return info

    def get_height(self) -> dict[str, Any]:
        """`height` (chain length), `hash` (top block), `immutable_height`, `immutable_hash`."""
        result = self._call("get_height")
        _require_ints("get_height", result, "height", "immutable_height")
        return result

    def get_service_nodes(self, poll_block_hash: str | None = None) -> dict[str, Any]:
        """The full node list at the top block, with `height` and `block_hash`.

        With `poll_block_hash` equal to the current top hash, oxend answers `unchanged: true`
        and no list: the previous snapshot still holds.
        """
        params: dict[str, Any] = {"fields": SNAPSHOT_FIELDS}
        if poll_block_hash is not None:
            params["poll_block_hash"] = poll_block_hash
        result = self._call("get_service_nodes", params, slow=True)
        _require_ints("get_service_nodes", result, "height")
        if not isinstance(result.get("block_hash"), str):
            raise OxendPermanentError("result has no block_hash", method="get_service_nodes")
        if result.get("unchanged") is not True and not isinstance(result.get("service_node_states"), list):
            raise OxendPermanentError("result has no service_node_states list", method="get_service_nodes")
        return result

    def get_block_header_by_height(self, height: int) -> dict[str, Any]:
        """The `block_header` (with `hash` and `timestamp`) of the block at `height`."""
        result = self._call("get_block_header_by_height", {"height": height})
        header = result.get("block_header")
        if not isinstance(header, dict):
            raise OxendPermanentError("result has no block_header", method="get_block_header_by_height")
        _require_ints("get_block_header_by_height", header, "height", "timestamp")
        if header["height"] != height or not isinstance(header.get("hash"), str):
            raise OxendPermanentError(f"header is not the one of height {height}", method="get_block_header_by_height")
        return header

    def get_coinbase_tx_sum(self, height: int, count: int) -> dict[str, Any]:
        """`emission_amount`, `fee_amount`, `burn_amount` (atomic) over `count` blocks from `height`.

        Admin-only (403 on a public node) and slow the first time; `status: "BUSY"` is retried.
        """
        result = self._call("get_coinbase_tx_sum", {"height": height, "count": count}, slow=True)
        _require_ints("get_coinbase_tx_sum", result, "emission_amount", "fee_amount", "burn_amount")
        return result
