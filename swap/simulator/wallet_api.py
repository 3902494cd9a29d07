"""The simulated oxen-wallet-rpc methods, shaped as oxen-wallet-rpc.md documents them.

Results have no `status` field. Error replies for parse errors, unknown methods and denied
commands carry `"id": 0` instead of the request's id, as the stable wallet does; clients must not
rely on the id of an error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from swap.simulator.params import METHOD_NOT_FOUND, PARSE_ERROR, UINT32_MAX, Params, RpcError
from swap.simulator.wallet import AccountOutOfBound, AddressOutOfBound, SimWallet

WALLET_RPC_VERSION = 65553  # 1 << 16 | 17
GENERIC_ERROR = -1
DENIED = -7
ACCOUNT_INDEX_OUT_OF_BOUND = -14
ADDRESS_INDEX_OUT_OF_BOUND = -15
MAX_HEIGHT = 500_000_000
TRANSFER_FLAGS = ("in", "out", "stake", "pending", "failed", "pool", "coinbase")


class WalletApi:
    unechoed_error_codes = frozenset({PARSE_ERROR, METHOD_NOT_FOUND, DENIED})

    def __init__(self, wallet: SimWallet) -> None:
        self.wallet = wallet
        self.methods: dict[str, Callable[[Params], dict[str, Any]]] = {
            "create_address": self.create_address,
            "create_account": self.create_account,
            "get_address": self.get_address,
            "get_transfers": self.get_transfers,
            "get_height": self.get_height,
            "store": self.store,
            "get_version": self.get_version,
        }

    def dispatch(self, method: str, params: Params) -> dict[str, Any]:
        handler = self.methods.get(method)
        if handler is None:
            raise RpcError(METHOD_NOT_FOUND, "Method not found")
        with self.wallet.lock:
            try:
                return handler(params)
            except AccountOutOfBound as error:
                raise RpcError(ACCOUNT_INDEX_OUT_OF_BOUND, str(error)) from None
            except AddressOutOfBound as error:
                raise RpcError(ADDRESS_INDEX_OUT_OF_BOUND, str(error)) from None

    def create_address(self, params: Params) -> dict[str, Any]:
        account = params.uint32("account_index", 0)
        label = params.str_("label", "") or ""
        count = params.uint32("count", 1)
        if not 1 <= count <= 64:
            raise RpcError(GENERIC_ERROR, "Count must be between 1 and 64.")
        indices = self.wallet.create_address(account, label, count)
        addresses = [self.wallet.address(account, minor).address for minor in indices]
        return {
            "address": addresses[0],
            "address_index": indices[0],
            "addresses": addresses,
            "address_indices": indices,
        }

    def create_account(self, params: Params) -> dict[str, Any]:
        major = self.wallet.create_account(params.str_("label", "") or "")
        return {"account_index": major, "address": self.wallet.address(major, 0).address}

    def get_address(self, params: Params) -> dict[str, Any]:
        account = params.uint32("account_index", 0)
        indices = params.uint_list("address_index", UINT32_MAX)
        primary = self.wallet.address(account, 0)
        if not indices:
            indices = list(range(len(self.wallet.accounts[account])))
        addresses = []
        for minor in indices:
            sub = self.wallet.address(account, minor)
            addresses.append(
                {
                    "address": sub.address,
                    "label": sub.label,
                    "address_index": minor,
                    "used": self.wallet.used(account, minor),
                }
            )
        return {"address": primary.address, "addresses": addresses}

    def get_transfers(self, params: Params) -> dict[str, Any]:
        flags = {name: params.bool_(name, True) for name in TRANSFER_FLAGS}
        if not any(flags.values()):
            flags = dict.fromkeys(TRANSFER_FLAGS, True)  # all false means all
        min_height = params.uint("min_height", 0)
        max_height = params.uint("max_height", MAX_HEIGHT)
        if params.bool_("filter_by_height", False):
            max_height = max(max_height, min_height)
        account = params.uint32("account_index", 0)
        minors = set(params.uint_list("subaddr_indices", UINT32_MAX))
        all_accounts = params.bool_("all_accounts", False)

        result: dict[str, Any] = {}
        if flags["in"]:
            # Heights are always filtered, inclusively, so an unmined blink (height 0) shows only
            # when min_height is 0 (oxen-wallet-rpc.md §3).
            outputs = [
                o
                for o in self.wallet.outputs
                if (all_accounts or (o.major == account and (not minors or o.minor in minors)))
                and min_height <= o.height <= max_height
            ]
            # Confirmed before unmined blinks, then by height, timestamp and txid.
            outputs.sort(key=lambda o: (o.height == 0, o.height, o.timestamp, o.txid))
            if outputs:
                result["in"] = [self.wallet.entry(o) for o in outputs]
        return result

    def get_height(self, params: Params) -> dict[str, Any]:
        return {"height": self.wallet.height, "immutable_height": self.wallet.chain.immutable_height}

    def store(self, params: Params) -> dict[str, Any]:
        self.wallet.store()
        return {}

    def get_version(self, params: Params) -> dict[str, Any]:
        return {"version": WALLET_RPC_VERSION}
