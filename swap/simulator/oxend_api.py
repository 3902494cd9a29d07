"""The simulated oxend JSON-RPC methods, shaped as oxend-rpc.md documents them.

Heights follow oxend's off-by-one: `get_info.height` and `get_height.height` are the chain length,
`get_service_nodes.height` is the top block's height. Results carry `status: "OK"`; failures
raise `RpcError` with oxend's codes (-1 WRONG_PARAM, -2 TOO_BIG_HEIGHT, 403 on a restricted
node for admin-only commands).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Any

from swap.simulator.chain import BLOCK_REWARD, TARGET_BLOCK_SECONDS, SimChain
from swap.simulator.nodes import fake_hex, filter_entry, requested_fields
from swap.simulator.params import Params, RpcError, invalid_params

WRONG_PARAM = -1
TOO_BIG_HEIGHT = -2
FORBIDDEN = 403
HARD_FORK = 19
SNODE_REVISION = 6
ADMIN_ONLY = frozenset({"get_coinbase_tx_sum"})
_PUBKEY = re.compile(r"[0-9a-f]{64}")


class OxendApi:
    """Dispatches oxend methods against a `SimChain`. `restricted` plays a public RPC node."""

    unechoed_error_codes: frozenset[int] = frozenset()

    def __init__(self, chain: SimChain, *, restricted: bool = False) -> None:
        self.chain = chain
        self.restricted = restricted
        self._random = random.Random(0)  # noqa: S311 -- `limit` sampling, not security
        self.methods: dict[str, Callable[[Params], dict[str, Any]]] = {
            "get_info": self.get_info,
            "get_height": self.get_height,
            "get_service_nodes": self.get_service_nodes,
            "get_n_service_nodes": self.get_service_nodes,
            "get_all_service_nodes": self.get_service_nodes,
            "get_block_header_by_height": self.get_block_header_by_height,
            "get_last_block_header": self.get_last_block_header,
            "get_coinbase_tx_sum": self.get_coinbase_tx_sum,
        }

    def dispatch(self, method: str, params: Params) -> dict[str, Any]:
        handler = self.methods.get(method)
        if handler is None:
            raise RpcError(-32601, "Method not found")
        if self.restricted and method in ADMIN_ONLY:
            raise RpcError(FORBIDDEN, "Forbidden; this command is not available over public RPC")
        with self.chain.lock:
            return handler(params)

    def get_info(self, params: Params) -> dict[str, Any]:
        chain = self.chain
        return {
            "height": chain.length,
            "target_height": chain.length,
            "top_block_hash": chain.block_hash(chain.top_height),
            "immutable_height": chain.immutable_height,
            "immutable_block_hash": chain.block_hash(chain.immutable_height),
            "hard_fork": HARD_FORK,
            "nettype": chain.nettype,
            "offline": False,
            "untrusted": False,
            "target": TARGET_BLOCK_SECONDS,
            "version": "10.6.0",
            "status_line": f"v10.6.0; Height: {chain.length}",
            "status": "OK",
        }

    def get_height(self, params: Params) -> dict[str, Any]:
        chain = self.chain
        return {
            "height": chain.length,
            "hash": chain.block_hash(chain.top_height),
            "immutable_height": chain.immutable_height,
            "immutable_hash": chain.block_hash(chain.immutable_height),
            "untrusted": False,
            "status": "OK",
        }

    def get_service_nodes(self, params: Params) -> dict[str, Any]:
        chain = self.chain
        pubkeys = params.str_list("service_node_pubkeys")
        for pubkey in pubkeys:
            if not _PUBKEY.fullmatch(pubkey):
                raise RpcError(WRONG_PARAM, f"Invalid service node pubkey: {pubkey}")
        active_only = params.bool_("active_only", False)
        limit = params.int_("limit", 0)
        poll_block_hash = params.str_("poll_block_hash")
        try:
            include, exclude = requested_fields(params.raw.get("fields"))
        except ValueError as error:
            raise invalid_params(str(error)) from None

        top_hash = chain.block_hash(chain.top_height)
        top_level = {
            "height": chain.top_height,
            "target_height": chain.top_height,
            "block_hash": top_hash,
            "hardfork": HARD_FORK,
            "snode_revision": SNODE_REVISION,
        }
        result = {k: v for k, v in top_level.items() if (include is None or k in include) and k not in exclude}
        if poll_block_hash is not None:
            result["block_hash"] = top_hash
            result["unchanged"] = poll_block_hash == top_hash
            if result["unchanged"]:
                result["status"] = "OK"
                return result

        entries = chain.service_node_entries()
        if pubkeys:
            wanted = set(pubkeys)
            entries = [e for e in entries if e.get("service_node_pubkey") in wanted]
        if active_only:
            entries = [e for e in entries if e.get("active")]
        if limit:
            # A random sample in random order (v10 limit > 0); Oxen 11's negative limit shuffles all.
            entries = self._random.sample(entries, len(entries) if limit < 0 else min(limit, len(entries)))
        result["service_node_states"] = [filter_entry(e, include, exclude, chain.dialect) for e in entries]
        result["status"] = "OK"
        return result

    def _header(self, height: int, tx_hashes: bool) -> dict[str, Any]:
        chain = self.chain
        if height >= chain.length:
            raise RpcError(
                TOO_BIG_HEIGHT,
                f"Requested block height: {height} greater than current top block height: {chain.top_height}",
            )
        header: dict[str, Any] = {
            "major_version": HARD_FORK,
            "minor_version": HARD_FORK,
            "timestamp": chain.timestamp(height),
            "prev_hash": chain.block_hash(height - 1) if height else "0" * 64,
            "nonce": 0,
            "orphan_status": False,
            "height": height,
            "depth": chain.top_height - height,
            "hash": chain.block_hash(height),
            "difficulty": 1,
            "cumulative_difficulty": height + 1,
            "reward": BLOCK_REWARD,
            "coinbase_payouts": 0,
            "block_size": 1000,
            "block_weight": 1000,
            "num_txes": 0,
            "pow_hash": "",
            "long_term_weight": 1000,
            "miner_tx_hash": fake_hex("miner-tx", chain.block_hash(height)),
            "service_node_winner": "",
        }
        if tx_hashes:
            header["tx_hashes"] = []
        return header

    def get_block_header_by_height(self, params: Params) -> dict[str, Any]:
        heights = params.uint_list("heights")
        tx_hashes = params.bool_("get_tx_hashes", False)
        params.bool_("fill_pow_hash", False)
        if heights:
            headers = [self._header(h, tx_hashes) for h in heights]
            return {"block_headers": headers, "status": "OK", "untrusted": False}
        header = self._header(params.uint("height", 0), tx_hashes)
        return {"block_header": header, "status": "OK", "untrusted": False}

    def get_last_block_header(self, params: Params) -> dict[str, Any]:
        header = self._header(self.chain.top_height, params.bool_("get_tx_hashes", False))
        return {"block_header": header, "status": "OK", "untrusted": False}

    def get_coinbase_tx_sum(self, params: Params) -> dict[str, Any]:
        emission, fee, burn = self.chain.coinbase_sum(params.uint("height", 0), params.uint("count", 0))
        return {"emission_amount": emission, "fee_amount": fee, "burn_amount": burn, "status": "OK"}
