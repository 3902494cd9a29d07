"""A test harness around the session's anvil: settings pointing at it, and a tracker loop.

`tests/distributions/conftest.py` makes the `l2` fixture of `harness`; test modules elsewhere
declare it in three lines (`yield from harness(settings, anvil)`). The
service signs with anvil's account #1; test scaffolding (funding, contract setup done "by someone
else") uses account #0, so the service's database nonce is never disturbed by the test itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from swap.chain.anvil import AnvilNode
from swap.chain.client import ChainClient, get_client, reset_clients
from swap.chain.models import L2Transaction
from swap.chain.tracking import TrackReport, track_transactions

SERVICE_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"  # anvil #1
SERVICE_ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
WATCHDOG_KEY = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"  # anvil #2
WATCHDOG_ADDRESS = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
ACTIVATION_DELAY = 3600  # the contract's minimum; tests move the clock past it
HELPER_ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"  # anvil #0
BURN = "0x000000000000000000000000000000000000dEaD"


@dataclass
class L2:
    node: AnvilNode

    @property
    def client(self) -> ChainClient:
        return get_client()

    def rpc(self, method: str, params: list[Any] | None = None) -> Any:
        return self.node.rpc(method, params)

    def mine(self, blocks: int = 1) -> None:
        self.node.rpc("anvil_mine", [hex(blocks)])

    def advance_time(self, seconds: int) -> None:
        """Move the chain's clock forward (`evm_increaseTime`) and mine a block at the new time."""
        self.node.rpc("evm_increaseTime", [hex(seconds)])
        self.node.rpc("evm_mine")

    def automine(self, on: bool) -> None:
        self.node.rpc("evm_setAutomine", [on])

    def eth_balance(self, address: str) -> int:
        return int(self.node.rpc("eth_getBalance", [address, "latest"]), 16)

    def track(self) -> TrackReport:
        return track_transactions()

    def drive(self, until: Callable[[], bool], *, passes: int = 30, mine: bool = True) -> None:
        """Run tracker passes (mining a block between them) until `until()` holds."""
        for _ in range(passes):
            track_transactions()
            if until():
                return
            if mine:
                self.mine()
            time.sleep(0.02)  # anvil may publish a receipt a moment after mining
        raise AssertionError(f"not reached after {passes} tracker passes: {describe_open()}")

    def settle(self, *, passes: int = 40) -> None:
        """Drive until no transaction of the outbox is open."""
        self.drive(lambda: not L2Transaction.objects.filter(status__in=L2Transaction.OPEN_STATUSES).exists(),
                   passes=passes)


def describe_open() -> list[str]:
    return [str(tx) for tx in L2Transaction.objects.filter(status__in=L2Transaction.OPEN_STATUSES)]


def configure(settings: Any, node: AnvilNode, **overrides: Any) -> None:
    settings.L2_RPC_URL = node.url
    settings.L2_CHAIN_ID = node.chain_id
    settings.L2_SIGNER_KEY = SERVICE_KEY
    settings.L2_SIGNER_KEY_FILE = ""
    settings.L2_CONFIRMATIONS = 3
    settings.L2_USE_FINALIZED_TAG = False
    settings.L2_STUCK_SECONDS = 3600
    settings.L2_ACTIVATION_DELAY_SECONDS = ACTIVATION_DELAY
    settings.WATCHDOG_SIGNER_KEY = WATCHDOG_KEY
    settings.WATCHDOG_SIGNER_KEY_FILE = ""
    settings.WATCHDOG_RPC_URL = node.url
    for name, value in overrides.items():
        setattr(settings, name, value)
    reset_clients()


def harness(settings: Any, anvil: AnvilNode) -> Iterator[L2]:
    """Body of the `l2` fixture: the session's anvil as the service's L2, automining on."""
    configure(settings, anvil)
    harness = L2(anvil)
    try:
        yield harness
    finally:
        anvil.rpc("anvil_dropAllTransactions")  # left pending with automine off: never mined later
        anvil.rpc("evm_setAutomine", [True])
        reset_clients()
