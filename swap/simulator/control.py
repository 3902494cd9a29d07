"""`OxenSimulator`: one simulated chain served as oxend and as oxen-wallet-rpc, and its control API.

In-process, a test starts it on free ports and scripts it through `sim.chain`, `sim.wallet`,
`sim.oxend.faults` and `sim.wallet_rpc.faults` (every chain and wallet method takes the shared
lock). Another process (the demo, a browser test) drives the same operations with
`POST /sim/<command>` and a JSON object of keyword arguments, when `control_api=True`:

- chain: add_blocks, register_node, contribute, decommission, recommission, request_unlock,
  deregister, reorg, set_block_economics, script_coinbase_sum
- wallet: add_transfer, send_to (an address, no index), mine_transfer, set_sync_height, create_account, crash
- servers: fault {target: "oxend"|"wallet", kind, …Fault fields}, clear_faults {target},
  down {target}, up {target}
- state: heights, top hash and counts
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from swap.simulator.chain import SimChain
from swap.simulator.oxend_api import OxendApi
from swap.simulator.server import Endpoint
from swap.simulator.wallet import SimWallet
from swap.simulator.wallet_api import WalletApi

CHAIN_COMMANDS = frozenset(
    {
        "add_blocks",
        "register_node",
        "contribute",
        "decommission",
        "recommission",
        "request_unlock",
        "deregister",
        "reorg",
        "set_block_economics",
        "script_coinbase_sum",
    }
)
WALLET_COMMANDS = frozenset({"add_transfer", "send_to", "mine_transfer", "set_sync_height", "create_account", "crash"})


class OxenSimulator:
    """A simulated Oxen chain with its oxend and wallet RPC listeners (call `start`)."""

    def __init__(
        self,
        *,
        nettype: str = "mainnet",
        length: int = 1,
        history: Sequence[dict[str, Any]] | None = None,
        dialect: str = "v10",
        seed: str = "oxen-simulator",
        host: str = "127.0.0.1",
        oxend_port: int = 0,
        wallet_port: int = 0,
        oxend_auth: tuple[str, str] | None = None,
        wallet_auth: tuple[str, str] | None = None,
        restricted: bool = False,
        control_api: bool = False,
    ) -> None:
        self.chain = SimChain(nettype=nettype, length=length, seed=seed, dialect=dialect)
        if history is not None:
            self.chain.load_history(history)
        self.wallet = SimWallet(self.chain)
        control = self.control if control_api else None
        self.oxend = Endpoint(
            "oxend",
            OxendApi(self.chain, restricted=restricted),
            host=host,
            port=oxend_port,
            auth=oxend_auth,
            control=control,
        )
        self.wallet_rpc = Endpoint(
            "wallet", WalletApi(self.wallet), host=host, port=wallet_port, auth=wallet_auth, control=control
        )
        self._stop_mining = threading.Event()
        self._miner: threading.Thread | None = None

    @property
    def oxend_url(self) -> str:
        return self.oxend.url

    @property
    def wallet_url(self) -> str:
        return self.wallet_rpc.url

    def start(self) -> OxenSimulator:
        self.oxend.start()
        self.wallet_rpc.start()
        return self

    def stop(self) -> None:
        self._stop_mining.set()
        if self._miner is not None:
            self._miner.join()
            self._miner = None
        self.oxend.stop()
        self.wallet_rpc.stop()

    def __enter__(self) -> OxenSimulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def mine_every(self, seconds: float) -> None:
        """Add one block every `seconds` in a background thread until `stop`."""
        if seconds <= 0 or self._miner is not None:
            raise ValueError("mining needs a positive interval and starts once")

        def mine() -> None:
            while not self._stop_mining.wait(seconds):
                self.chain.add_blocks(1)

        self._miner = threading.Thread(target=mine, name="sim-miner", daemon=True)
        self._miner.start()

    def endpoint(self, target: str) -> Endpoint:
        endpoints = {"oxend": self.oxend, "wallet": self.wallet_rpc}
        if target not in endpoints:
            raise ValueError(f"target must be one of {sorted(endpoints)}")
        return endpoints[target]

    def state(self) -> dict[str, Any]:
        with self.chain.lock:
            return {
                "height": self.chain.length,
                "top_height": self.chain.top_height,
                "top_hash": self.chain.block_hash(self.chain.top_height),
                "immutable_height": self.chain.immutable_height,
                "service_nodes": len(self.chain.service_node_entries()),
                "wallet_height": self.wallet.height,
                "wallet_outputs": len(self.wallet.outputs),
                "oxend_url": self.oxend_url,
                "wallet_url": self.wallet_url,
            }

    def control(self, command: str, arguments: dict[str, Any]) -> Any:
        """Run one control command (the `POST /sim/<command>` API); raises ValueError on misuse."""
        if command in CHAIN_COMMANDS:
            return getattr(self.chain, command)(**arguments)
        if command in WALLET_COMMANDS:
            return getattr(self.wallet, command)(**arguments)
        if command == "state":
            return self.state()
        target = self.endpoint(arguments.pop("target", "oxend"))
        if command == "fault":
            target.faults.add(**arguments)
        elif command == "clear_faults":
            target.faults.clear()
        elif command == "down":
            target.go_down()
        elif command == "up":
            target.go_up()
        else:
            raise ValueError(f"unknown control command {command!r}")
        return None
