"""The demo's local peers and servers as child processes, stopped cleanly on exit or Ctrl-C.

The demo talks to its peers the way production does, over loopback HTTP: anvil (an EVM node)
through `swap.chain.anvil`, and the Oxen simulator (`manage.py run_oxen_simulator`, oxend and
the wallet RPC in one process) whose first two output lines say where it listens. In serve mode
the web server and Celery run here too. Every child's output goes to a log file under the demo's
directory, so the terminal shows only the demo's own progress. Children run in process groups of
their own: Ctrl-C (or SIGTERM, `swap.shutdown`) reaches the demo alone, which then stops each
child's whole group in order (a Celery worker's pool processes too).
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import requests

from swap.chain.anvil import REPO_ROOT, AnvilNode, start_anvil, stop_process_group

MANAGE_PY = REPO_ROOT / "manage.py"


class PeerError(RuntimeError):
    """A child process did not start, or a peer answered with an error."""


@dataclass
class Child:
    """A child process with a name (for messages) and its log file."""

    name: str
    process: subprocess.Popen[Any]
    log: Path

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        stop_process_group(self.process, timeout)


def _drain(stream: IO[str], log: IO[str]) -> None:
    """Copy the rest of a child's output to its log, so a full pipe never blocks the child."""
    for line in stream:
        log.write(line)
        log.flush()


def start_child(name: str, command: list[str], *, env: Mapping[str, str], log: Path) -> Child:
    """Start a command from the repository root with stdout and stderr going to `log`."""
    handle = log.open("a")
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, env=dict(env), stdout=handle, stderr=subprocess.STDOUT, process_group=0
    )
    handle.close()  # the child holds its own copy
    return Child(name, process, log)


def manage(*arguments: str) -> list[str]:
    return [sys.executable, str(MANAGE_PY), *arguments]


@dataclass
class Simulator:
    """The Oxen simulator child and its two URLs; `control` drives it like the tests do."""

    child: Child
    oxend_url: str
    wallet_url: str
    session: requests.Session = field(default_factory=requests.Session, repr=False)

    def control(self, command: str, **arguments: Any) -> Any:
        """`POST /sim/<command>` (see `swap.simulator.control`); returns its result."""
        reply = self.session.post(f"{self.oxend_url}/sim/{command}", json=arguments, timeout=30)
        body = reply.json()
        if reply.status_code != 200:
            raise PeerError(f"simulator {command}: {body.get('error', reply.text)}")
        return body["result"]


def start_simulator(history: Path, *, env: Mapping[str, str], log: Path) -> Simulator:
    """Start `run_oxen_simulator` replaying `history` on free loopback ports."""
    command = manage("run_oxen_simulator", "--history", str(history), "--nettype", "mainnet")
    handle = log.open("a")
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, env=dict(env), stdout=subprocess.PIPE, stderr=handle, text=True, process_group=0
    )
    handle.close()
    child = Child("oxen simulator", process, log)
    assert process.stdout is not None
    try:
        first, second = process.stdout.readline().strip(), process.stdout.readline().strip()
    except BaseException:  # Ctrl-C or SIGTERM while it starts
        child.stop()
        raise
    if not first.startswith("listening on ") or not second.startswith("wallet listening on "):
        child.stop()
        raise PeerError(f"the Oxen simulator did not start (see {log}): {first!r} {second!r}")
    threading.Thread(target=_drain, args=(process.stdout, log.open("a")), daemon=True).start()
    return Simulator(child, first.removeprefix("listening on "), second.removeprefix("wallet listening on "))


def start_chain() -> AnvilNode:
    """anvil on a free loopback port (chain id 31337), as the test fixtures start it."""
    return start_anvil()
