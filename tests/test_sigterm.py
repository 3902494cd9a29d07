"""Every command that starts children stops them on SIGTERM, as on Ctrl-C.

Service managers, `docker stop`, `kill` and CI stop a process with SIGTERM. Each command runs as
a real process; once its children are up (read from /proc), it gets SIGTERM, and then it and
every process it started must be gone within the time a clean stop takes: no anvil left holding
a port.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from swap.chain.anvil import free_loopback_port
from swap.demo.environment import DEMO_MARKER

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]
PRODUCTION_VARIABLES = ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG")


def descendants(pid: int) -> set[int]:
    """Every live process below `pid`, from the parent ids in /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


class Run:
    """A command's process and every child seen below it (killed at the end whatever happened)."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.seen: set[int] = set()

    def children(self) -> set[int]:
        found = descendants(self.process.pid)
        self.seen |= found
        return found


@contextmanager
def command(*arguments: str) -> Iterator[Run]:
    environ = {k: v for k, v in os.environ.items() if k not in PRODUCTION_VARIABLES and k != DEMO_MARKER}
    process = subprocess.Popen([sys.executable, "manage.py", *arguments], cwd=REPO, env=environ, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    run = Run(process)
    try:
        yield run
    finally:
        # Never leave anything behind, even when the test fails: a child the command failed to stop
        # now belongs to init, so kill what was seen below it, and what is below it still.
        for pid in run.seen | descendants(process.pid):
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)


def read_until(process: subprocess.Popen[str], marker: str) -> str:
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line)
        if marker in line:
            return "".join(seen)
    raise AssertionError(f"{marker!r} never printed; output: {''.join(seen)}; stderr: {process.stderr.read()}")


def terminate_and_check_gone(process: subprocess.Popen[str], children: set[int], timeout: float = 40) -> int:
    process.send_signal(signal.SIGTERM)
    code = process.wait(timeout=timeout)
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in children if alive(pid)], "children outlived their command"
    return code


def test_run_local_chain_stops_anvil_on_sigterm():
    port = free_loopback_port()
    with command("run_local_chain", "--port", str(port), "--block-time", "0") as run:
        read_until(run.process, "listening on")
        children = run.children()  # npm's node wrapper and the anvil binary it starts
        assert len(children) >= 2 and listening(port)
        assert terminate_and_check_gone(run.process, children) == 0
        assert not listening(port)


def test_run_oxen_simulator_stops_serving_on_sigterm():
    with command("run_oxen_simulator") as run:
        line = read_until(run.process, "wallet listening on")
        port = int(line.strip().rsplit(":", 1)[1].split("/")[0])
        assert terminate_and_check_gone(run.process, run.children()) == 0
        assert not listening(port)


def test_the_demo_stops_its_peers_on_sigterm_before_it_finished(tmp_path):
    with command("demo", "--dir", str(tmp_path)) as run:
        read_until(run.process, "Deploying TestSESH")  # anvil and the simulator are up
        children = run.children()
        assert len(children) >= 3
        code = terminate_and_check_gone(run.process, children)
        _, stderr = run.process.communicate(timeout=10)
        assert code == 1 and "stopped" in stderr and "Traceback" not in stderr
