"""The production processes of one machine: preflight, a fresh database, each unit started and stopped.

Every process runs in a process group of its own with its output in `logs/<name>.log`; stopping
one stops its whole group (a Celery worker's pool, gunicorn's workers, nginx's worker). A unit's
`ExecStartPre=` lines run first and must exit 0, as under systemd. Children get only what systemd
would give them (a plain PATH, HOME, LANG) plus the unit's environment, so a setting missing from
the environment file cannot leak in from the caller's shell.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from swap.chain.anvil import stop_process_group
from swap.prodsmoke.envfile import REPO_ROOT
from swap.prodsmoke.units import Placement, Unit, command_line, install_credentials, parse_unit, unit_environment

logger = logging.getLogger(__name__)
UNITS_DIR = REPO_ROOT / "deploy" / "systemd"
# What systemd gives every service before its own variables.
SYSTEMD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class SmokeFailed(RuntimeError):
    """A step of the run did not give what production must; the message is the one line printed."""


def reachable(url: str, default_port: int) -> bool:
    """True if something accepts a TCP connection at the URL's host and port."""
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def fresh_database(database_url: str) -> None:
    """Drop and create the run's PostgreSQL database (its name must say it belongs to prod-smoke)."""
    import psycopg

    base, name = database_url.rsplit("/", 1)
    if "prodsmoke" not in name:
        raise SmokeFailed(f"refusing to recreate database {name!r}: its name must contain 'prodsmoke'")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def flush_redis(*urls: str) -> None:
    """Empty the run's broker and cache databases: tasks of an earlier run name rows that are gone."""
    import redis

    for url in urls:
        redis.Redis.from_url(url).flushdb()


@dataclass
class Process:
    """One running production process and where its output goes."""

    name: str
    command: list[str]
    environ: dict[str, str]
    cwd: Path
    log: Path
    popen: subprocess.Popen[Any] | None = None

    def start(self) -> None:
        with self.log.open("a") as handle:
            self.popen = subprocess.Popen(self.command, cwd=self.cwd, env=self.environ, stdout=handle,
                                          stderr=subprocess.STDOUT, process_group=0)

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def stop(self) -> None:
        if self.popen is not None:
            stop_process_group(self.popen, timeout=20)

    def kill(self) -> None:
        """A crash: SIGKILL to the whole group, no shutdown of any kind."""
        assert self.popen is not None
        os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=30)

    def last_line(self) -> str:
        lines = self.log.read_text(errors="replace").strip().splitlines() if self.log.exists() else []
        return lines[-1][:300] if lines else "(no output)"


@dataclass
class Topology:
    """The processes of the run, started in order and stopped in reverse."""

    placement: Placement
    logs: Path
    base_environ: dict[str, str] = field(default_factory=dict)
    processes: list[Process] = field(default_factory=list)

    def start_unit(self, name: str) -> Process:
        """Run the unit's ExecStartPre= lines to completion, then start its ExecStart= in the background."""
        unit = parse_unit(UNITS_DIR / f"{name}.service")
        install_credentials(unit, self.placement)
        environ = unit_environment(unit, self.placement, self.base_environ)
        cwd = Path(self.placement.relocate(unit.working_directory or "/"))
        log = self.logs / f"{unit.name}.log"
        for line in unit.exec_start_pre:
            self._run_before(unit, command_line(line, unit, self.placement, environ), environ, cwd, log)
        process = Process(unit.name, command_line(unit.exec_start, unit, self.placement, environ), environ, cwd, log)
        return self.start(process)

    def start(self, process: Process) -> Process:
        process.start()
        self.processes.append(process)
        return process

    def restart(self, process: Process) -> None:
        """Start a stopped (or killed) process again with the same command line, as Restart= does."""
        process.start()

    def _run_before(self, unit: Unit, command: list[str], environ: Mapping[str, str], cwd: Path, log: Path) -> None:
        done = subprocess.run(command, cwd=cwd, env=dict(environ), capture_output=True, text=True, timeout=300)
        with log.open("a") as handle:
            handle.write(f"$ {' '.join(command)}\n{done.stdout}{done.stderr}")
        if done.returncode != 0:
            lines = (done.stderr or done.stdout).strip().splitlines()
            raise SmokeFailed(f"{unit.name}: ExecStartPre {' '.join(command[1:4])} exited {done.returncode}: "
                              f"{lines[-1] if lines else '(no output)'}")

    def check_alive(self) -> None:
        for process in self.processes:
            if not process.alive():
                code = process.popen.returncode if process.popen is not None else "?"
                raise SmokeFailed(f"{process.name} stopped (exit {code}); {process.log}: {process.last_line()}")

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            try:
                process.stop()
            except Exception:  # the others must be stopped anyway
                logger.exception("could not stop %s", process.name)


def systemd_base_environ(home: Path) -> dict[str, str]:
    """The environment systemd gives a service before its own settings."""
    return {"PATH": SYSTEMD_PATH, "HOME": str(home), "LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1"}


def wait_until(condition: Any, *, what: str, timeout: float, topology: Topology | None = None,
               every: float = 0.5, nudge: Any = None) -> Any:
    """Poll `condition()` until it returns something truthy; `nudge()` runs between polls (re-send a task)."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if topology is not None:
            topology.check_alive()
        if time.monotonic() > deadline:
            raise SmokeFailed(f"{what}: not reached within {timeout:.0f} s")
        if nudge is not None:
            nudge()
        time.sleep(every)
