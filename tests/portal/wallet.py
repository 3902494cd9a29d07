"""An injected EIP-1193 wallet backed by the served demo's anvil, for the claim widget's browser tests.

The page gets a provider from an init script: announced through EIP-6963 under one or more names,
and/or as `window.ethereum`. Its `request` goes through a Playwright binding (not a network call,
so the page's strict CSP applies exactly as in production) to `AnvilWallet.handle`, which plays
a wallet: it answers `eth_requestAccounts` and `eth_chainId` itself, refuses with the codes real
wallets use (4001 user rejected, 4902 unknown chain) when told to, records what it was asked, and
forwards everything else to anvil, where its account is unlocked and `eth_sendTransaction` signs.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from swap.chain import contracts

ANVIL_CHAIN = hex(31337)
OTHER_CHAIN = hex(1)  # where a wallet sits before it is asked to switch
WALLET_ACCOUNT = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"  # anvil #5: the wallet's account
SOMEONE_ELSE = "0x976EA74026E726554dB657fA54763abd0C3a0aa9"  # anvil #6: claims first, for the race
PAUSER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"  # anvil #2: the demo watchdog's key (PAUSER_ROLE)
ICON = "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9IjAgMCAxIDEiLz4="


class RpcError(Exception):
    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(error.get("message", "error"))
        self.error = error


@dataclass
class Chain:
    """The served demo's anvil, spoken to directly (the test's "someone else" and its judge)."""

    url: str

    def rpc(self, method: str, params: list[Any] | None = None) -> Any:
        reply = requests.post(self.url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []},
                              timeout=30).json()
        if "error" in reply:
            raise RpcError(reply["error"])
        return reply["result"]

    def receipt(self, tx_hash: str, timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while (receipt := self.rpc("eth_getTransactionReceipt", [tx_hash])) is None:
            assert time.monotonic() < deadline, f"no receipt for {tx_hash}"
            time.sleep(0.05)
        return dict(receipt)

    def send(self, sender: str, to: str, data: str) -> dict[str, Any]:
        return self.receipt(self.rpc("eth_sendTransaction", [{"from": sender, "to": to, "data": data}]))

    def read(self, name: str, address: str, function: str, *args: Any) -> Any:
        artifact = contracts.load_artifact(name)
        answer = self.rpc("eth_call", [{"to": address, "data": artifact.encode_call(function, *args)}, "latest"])
        (value,) = artifact.decode_result(function, answer)
        return value

    def claimed(self, distributor: str, account: str) -> int:
        return int(self.read(contracts.DISTRIBUTOR, distributor, "claimed", account))

    def balance(self, token: str, account: str) -> int:
        return int(self.read(contracts.TOKEN, token, "balanceOf", account))

    def paused(self, distributor: str) -> bool:
        return bool(self.read(contracts.DISTRIBUTOR, distributor, "paused"))


@dataclass
class AnvilWallet:
    """One wallet's behaviour; set the flags a scenario needs before the page calls it."""

    chain: Chain
    account: str = WALLET_ACCOUNT
    chain_id: str = ANVIL_CHAIN
    known_chains: set[str] = field(default_factory=lambda: {ANVIL_CHAIN, OTHER_CHAIN})
    reject_connect: bool = False
    reject_switch: bool = False
    reject_add: bool = False
    reject_send: bool = False
    before_send: Callable[[dict[str, Any]], None] | None = None
    wrap_refusals: bool = False  # as MetaMask mobile: -32603 with the real code in data.originalError
    calls: list[str] = field(default_factory=list)
    added_chains: list[dict[str, Any]] = field(default_factory=list)
    watched: list[dict[str, Any]] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)

    def answer(self, method: str, params: Any) -> Any:
        if method in ("eth_requestAccounts", "eth_accounts"):
            if self.reject_connect:
                raise RpcError({"code": 4001, "message": "User rejected the request."})
            return [self.account]
        if method == "eth_chainId":
            return self.chain_id
        if method == "wallet_switchEthereumChain":
            if self.reject_switch:
                raise RpcError({"code": 4001, "message": "User rejected the request."})
            if params[0]["chainId"] not in self.known_chains:
                raise RpcError({"code": 4902, "message": f"Unrecognized chain ID {params[0]['chainId']}."})
            self.chain_id = params[0]["chainId"]
            return None
        if method == "wallet_addEthereumChain":
            if self.reject_add:
                raise RpcError({"code": 4001, "message": "User rejected the request."})
            self.added_chains.append(params[0])
            self.known_chains.add(params[0]["chainId"])
            return None
        if method == "wallet_watchAsset":
            self.watched.append(params)
            return True
        assert self.chain_id == ANVIL_CHAIN, f"{method} asked of a wallet on chain {self.chain_id}"
        if method == "eth_sendTransaction":
            if self.reject_send:
                raise RpcError({"code": 4001, "message": "User denied transaction signature."})
            transaction = dict(params[0])
            assert transaction["from"].lower() == self.account.lower()
            if self.before_send is not None:
                hook, self.before_send = self.before_send, None
                hook(transaction)
            tx_hash = self.chain.rpc(method, [transaction])
            self.sent.append(tx_hash)
            return tx_hash
        return self.chain.rpc(method, params)

    def handle(self, payload: str) -> str:
        request = json.loads(payload)
        self.calls.append(request["method"])
        try:
            return json.dumps({"result": self.answer(request["method"], request["params"])})
        except RpcError as refused:
            error = refused.error
            if self.wrap_refusals and error.get("code") in (4001, 4902):
                error = {"code": -32603, "message": "Internal JSON-RPC error.", "data": {"originalError": error}}
            return json.dumps({"error": error})


def provider_script(announced: list[str], *, legacy: bool) -> str:
    """The init script: providers announced by EIP-6963 under `announced` names, and `window.ethereum`."""
    return """
(() => {
  const provider = (name) => ({
    isTestWallet: true,
    request: async ({ method, params }) => {
      const reply = JSON.parse(await window.__seshWallet(JSON.stringify({ wallet: name, method,
                                                                        params: params === undefined ? [] : params })));
      if (reply.error) {
        const error = new Error(reply.error.message);
        error.code = reply.error.code;
        if (reply.error.data !== undefined) { error.data = reply.error.data; }
        throw error;
      }
      return reply.result;
    },
    on() {}, removeListener() {},
  });
  ANNOUNCED.forEach((name, index) => {
    const detail = Object.freeze({
      info: { uuid: "00000000-0000-4000-8000-00000000000" + index, name, icon: ICON,
              rdns: "org.example.wallet" + index },
      provider: provider(name),
    });
    const announce = () => window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail }));
    window.addEventListener("eip6963:requestProvider", announce);
    announce();
  });
  if (LEGACY) { window.ethereum = provider("legacy"); }
})();
""".replace("ANNOUNCED", json.dumps(announced)).replace("LEGACY", json.dumps(legacy)).replace("ICON", json.dumps(ICON))
