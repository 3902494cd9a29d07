"""Start and stop a local EVM node (anvil from the npm package `@foundry-rs/anvil`).

Used by the test fixtures and by the demo, so both run the same chain the same way: a free
loopback port, chain id 31337, anvil's deterministic development accounts.

The npm package's `anvil` is a Node wrapper that starts the real binary as its own child. anvil
runs in a process group of its own, and `stop` signals the whole group: the binary goes with the
wrapper even if the wrapper is killed, and a Ctrl-C in the terminal reaches only our process,
which then stops anvil itself.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
ANVIL_BINARY = REPO_ROOT / "node_modules" / ".bin" / "anvil"
ANVIL_CHAIN_ID = 31337


class AnvilError(RuntimeError):
    """The local node could not be started or answered with an error."""


def free_loopback_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class AnvilNode:
    """A running anvil process and the JSON-RPC URL it serves."""

    url: str
    process: subprocess.Popen[bytes]
    chain_id: int = ANVIL_CHAIN_ID
    _next_id: int = field(default=0, repr=False)

    def rpc(self, method: str, params: list[Any] | None = None) -> Any:
        """Call one JSON-RPC method and return its result; raise AnvilError on an error reply."""
        self._next_id += 1
        payload = {"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params or []}
        reply = requests.post(self.url, json=payload, timeout=30).json()
        if "error" in reply:
            raise AnvilError(f"{method}: {reply['error'].get('message', reply['error'])}")
        return reply["result"]

    def snapshot(self) -> str:
        """Take an EVM snapshot; `revert` returns the chain to exactly this state."""
        return str(self.rpc("evm_snapshot"))

    def revert(self, snapshot_id: str) -> None:
        """Return to the snapshot, mempool included: a transaction left pending (automine off)
        would otherwise be mined into whatever runs next."""
        self.rpc("anvil_dropAllTransactions")
        if not self.rpc("evm_revert", [snapshot_id]):
            raise AnvilError(f"evm_revert({snapshot_id}) refused")

    def stop(self) -> None:
        """Terminate anvil's process group and wait for it, killing the group if it does not exit in time."""
        stop_process_group(self.process)
        if self.process.stderr is not None:
            self.process.stderr.close()


def _signal_group(process: subprocess.Popen[Any], signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except (ProcessLookupError, PermissionError):
        pass  # the group is empty already


def stop_process_group(process: subprocess.Popen[Any], timeout: float = 10.0) -> None:
    """SIGTERM to the group of a child started with `process_group=0`; SIGKILL after `timeout`."""
    _signal_group(process, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _signal_group(process, signal.SIGKILL)
        process.wait(timeout=timeout)
    _signal_group(process, signal.SIGKILL)  # anything of the group that outlived its leader


def start_anvil(
    *, port: int | None = None, chain_id: int = ANVIL_CHAIN_ID, extra_args: list[str] | None = None,
    startup_timeout: float = 30.0,
) -> AnvilNode:
    """Start anvil on a loopback port and return once it answers `eth_chainId`."""
    binary = Path(os.environ.get("ANVIL_BINARY", ANVIL_BINARY))
    if not binary.exists():
        raise AnvilError(f"anvil not found at {binary}: run `npm ci` (make does it for you)")
    port = port or free_loopback_port()
    command = [str(binary), "--host", "127.0.0.1", "--port", str(port), "--chain-id", str(chain_id), "--silent"]
    process = subprocess.Popen(command + (extra_args or []), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               process_group=0)
    node = AnvilNode(url=f"http://127.0.0.1:{port}", process=process, chain_id=chain_id)
    try:
        _wait_until_it_answers(node, startup_timeout)
    except BaseException:  # an error, Ctrl-C or SIGTERM while it starts: never leave it running
        node.stop()
        raise
    return node


def _wait_until_it_answers(node: AnvilNode, startup_timeout: float) -> None:
    process = node.process
    deadline = time.monotonic() + startup_timeout
    while True:
        if process.poll() is not None:
            stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
            raise AnvilError(f"anvil exited with code {process.returncode}: {stderr.strip()[:500]}")
        try:
            if int(node.rpc("eth_chainId"), 16) == node.chain_id:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise AnvilError(f"anvil did not answer on {node.url} within {startup_timeout:.0f} s")
        time.sleep(0.05)
