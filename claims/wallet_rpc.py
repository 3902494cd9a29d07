"""The oxen-wallet-rpc client: claim subaddresses and the incoming transfers paid to them.

The wallet answers like oxend (JSON-RPC over `POST /json_rpc`, errors with HTTP 200) with three
differences that matter here: ids must be strings, results have no `status` field, and the
wallet is single-threaded, so a catch-up refresh can delay any reply (hence a generous read
timeout, and timeouts count as transient). Only -3 (daemon busy), -38 (no daemon connection),
connection failures, timeouts and HTTP 5xx are retried; every other error is permanent.

`get_transfers` sends every type flag explicitly, because the wallet defaults them all to true,
and fills in the categories the wallet leaves out when empty, so callers can index them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import requests

from claims.exceptions import WalletRpcPermanentError, WalletRpcTransientError
from swap.oxen_rpc import ErrorTypes, JsonRpcHttp, RetryPolicy

DAEMON_IS_BUSY = -3
NO_DAEMON_CONNECTION = -38
WALLET_ERRORS = ErrorTypes(
    WalletRpcTransientError, WalletRpcPermanentError, frozenset({DAEMON_IS_BUSY, NO_DAEMON_CONNECTION})
)
TRANSFER_CATEGORIES = ("in", "out", "stake", "pending", "failed", "pool")
MAX_HEIGHT = 500_000_000  # the wallet's own default upper bound
MAX_ADDRESSES_PER_CALL = 64


@dataclass(frozen=True)
class CreatedAddresses:
    """The subaddresses one `create_address` call made: parallel lists, indices ascending."""

    account_index: int
    addresses: list[str]
    indices: list[int]


class WalletRpcClient:
    """One oxen-wallet-rpc peer. Build it once per process and reuse its session."""

    def __init__(
        self,
        url: str,
        *,
        auth: tuple[str, str] | None = None,
        connect_timeout: float = 3.05,
        read_timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self._rpc = JsonRpcHttp(
            url,
            WALLET_ERRORS,
            auth=auth,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retry=retry,
            session=session,
            id_prefix="wallet",
        )

    def create_address(self, account_index: int, label: str = "", count: int = 1) -> CreatedAddresses:
        """Make `count` (1–64) new subaddresses in the account. Call `store` before showing them."""
        if type(count) is not int or not 1 <= count <= MAX_ADDRESSES_PER_CALL:
            raise ValueError(f"count must be an int between 1 and {MAX_ADDRESSES_PER_CALL}")
        result = self._rpc.call("create_address", {"account_index": account_index, "label": label, "count": count})
        addresses, indices = result.get("addresses"), result.get("address_indices")
        if (
            not isinstance(addresses, list)
            or not isinstance(indices, list)
            or len(addresses) != count
            or len(indices) != count
            or not all(isinstance(a, str) and a for a in addresses)
            or not all(type(i) is int for i in indices)
            or indices != sorted(set(indices))
        ):
            raise WalletRpcPermanentError(f"malformed result: {result!r:.300}", method="create_address")
        return CreatedAddresses(account_index, addresses, indices)

    def get_transfers(
        self,
        *,
        account_index: int = 0,
        subaddr_indices: Iterable[int] = (),
        min_height: int = 0,
        max_height: int = MAX_HEIGHT,
        categories: Iterable[str] = ("in",),
    ) -> dict[str, list[dict[str, Any]]]:
        """Transfers of the given categories (default: incoming only), each key always present.

        Heights are inclusive on both ends; an unmined blink has height 0 and so shows only when
        `min_height` is 0. `subaddr_indices` empty means every subaddress of the account.
        """
        wanted = set(categories)
        if not wanted or not wanted <= set(TRANSFER_CATEGORIES):
            raise ValueError(f"categories must be a non-empty subset of {TRANSFER_CATEGORIES}")
        params: dict[str, Any] = {name: name in wanted for name in TRANSFER_CATEGORIES}
        params.update(
            account_index=account_index,
            subaddr_indices=list(subaddr_indices),
            min_height=min_height,
            max_height=max_height,
        )
        result = self._rpc.call("get_transfers", params)
        transfers: dict[str, list[dict[str, Any]]] = {}
        for name in sorted(wanted):
            entries = result.get(name, [])
            if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
                raise WalletRpcPermanentError(f"{name!r} is not a list of transfers", method="get_transfers")
            transfers[name] = entries
        return transfers

    def get_height(self) -> dict[str, int]:
        """`height` (blocks the wallet has synced) and `immutable_height`."""
        result = self._rpc.call("get_height")
        if type(result.get("height")) is not int:
            raise WalletRpcPermanentError("result has no integer height", method="get_height")
        return {"height": result["height"], "immutable_height": result.get("immutable_height", 0)}

    def store(self) -> None:
        """Write the wallet file, so subaddresses created since the last store survive a crash."""
        self._rpc.call("store")
