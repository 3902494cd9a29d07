"""`manage.py demo --serve`: after the flow, the portal, admin and API against the same local peers.

Children (logs in the demo directory): the web server (`runserver --noreload` on 127.0.0.1, so
DEBUG serves the admin's static files) and, when Redis answers on 127.0.0.1:6379, a Celery
worker and beat using it as broker and cache (databases 7 and 8, emptied first). Without Redis
(or with `--no-celery`) there is no broker: the web process runs tasks in-process (the embedded default) and this
process plays beat, sending each `CELERY_BEAT_SCHEDULE` task on its interval in-process.

This process also keeps both chains moving, as real ones do: an Oxen block every
`OXEN_BLOCK_SECONDS` (deposits confirm, the capture task sees new heights) and an L2 block every
`L2_BLOCK_SECONDS` (the outbox's confirmations). Ctrl-C or SIGTERM (which the demo command turns
into an interrupt, `swap.shutdown`) stops every child.
"""

from __future__ import annotations

import importlib
import logging
import os
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from django.conf import settings

from swap.demo import cast
from swap.demo.environment import demo_environ
from swap.demo.flow import DEMO_ADMIN, DEMO_ADMIN_PASSWORD, DemoFailed, OxenSide
from swap.demo.processes import Child, manage, start_child
from swap.demo.wallets import demo_eth_address, demo_wallet

logger = logging.getLogger(__name__)
REDIS = ("127.0.0.1", 6379)
# Databases of their own (make test uses 13 and 14, bench/registration_load.py 11 and 12).
BROKER_URL = "redis://127.0.0.1:6379/7"
CACHE_URL = "redis://127.0.0.1:6379/8"
OXEN_BLOCK_SECONDS = 10.0
L2_BLOCK_SECONDS = 2.0
# A history wallet the demo did not register, for a person to register by hand.
TRY_WALLET = 7


def redis_answers() -> bool:
    """True if a Redis server answers PING on 127.0.0.1:6379 (without it there is no broker)."""
    try:
        with socket.create_connection(REDIS, timeout=0.5) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _flush_redis() -> None:
    """Empty the demo's broker and cache databases: tasks queued by an earlier run name other rows."""
    import redis

    for url in (BROKER_URL, CACHE_URL):
        redis.Redis.from_url(url).flushdb()


class Ticker:
    """Calls `action` every `seconds` from the serve loop; failures are logged, never fatal."""

    def __init__(self, name: str, seconds: float, action: Callable[[], Any]) -> None:
        self.name, self.seconds, self.action = name, seconds, action
        self.due = time.monotonic() + seconds

    def tick(self, now: float) -> None:
        if now < self.due:
            return
        self.due = now + self.seconds
        try:
            self.action()
        except Exception:
            logger.exception("demo serve: %s failed", self.name)


def _beat_tickers() -> list[Ticker]:
    """One ticker per beat entry, sending the task in this process (no broker: eager)."""
    tickers = []
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        module, _, attribute = entry["task"].rpartition(".")
        task = getattr(importlib.import_module(module), attribute)
        tickers.append(Ticker(name, float(entry["schedule"]), task.apply))
    return tickers


def serve(oxen: OxenSide, *, port: int, write: Callable[[str], None], celery: bool = True) -> None:
    """Run the children and the tickers until Ctrl-C or SIGTERM; then stop them all."""
    assert oxen.sim is not None and oxen.anvil is not None
    sim, anvil = oxen.sim, oxen.anvil
    if not port_is_free(port):
        raise DemoFailed(f"port {port} on 127.0.0.1 is in use: stop what listens there, or pass --port")
    environ = demo_environ(os.environ, oxen.values)
    with_broker = celery and redis_answers()
    if with_broker:
        _flush_redis()
        environ.update(CELERY_BROKER_URL=BROKER_URL, REDIS_URL=CACHE_URL, CACHE_KEY_PREFIX="swap-demo")
    logs = oxen.work
    tickers = [
        Ticker("oxen block", OXEN_BLOCK_SECONDS, lambda: sim.control("add_blocks", count=1)),
        Ticker("L2 block", L2_BLOCK_SECONDS, lambda: anvil.rpc("anvil_mine", ["0x1"])),
    ]
    if not with_broker:
        tickers.extend(_beat_tickers())  # before any child starts: a failure here leaves nothing running
    children: list[Child] = [
        start_child("web server", manage("runserver", f"127.0.0.1:{port}", "--noreload"), env=environ,
                    log=logs / "web.log"),
    ]
    if with_broker:
        beat_schedule = logs / "celerybeat-schedule"
        # One worker for both main queues (production runs one per queue: deploy/systemd/).
        queues = f"{settings.CELERY_TASK_DEFAULT_QUEUE},{settings.CELERY_L2_QUEUE}"
        children.append(start_child("celery worker", [sys.executable, "-m", "celery", "-A", "swap", "worker",
                                                      "-Q", queues, "-l", "INFO", "-c", "2"], env=environ,
                                    log=logs / "worker.log"))
        # The watchdog's own worker: only its queue, so no other task can delay a veto.
        children.append(start_child("watchdog worker", [sys.executable, "-m", "celery", "-A", "swap", "worker",
                                                        "-Q", "watchdog", "-n", "watchdog@%h", "-l", "INFO", "-c", "1"],
                                    env=environ, log=logs / "watchdog.log"))
        children.append(start_child("celery beat", [sys.executable, "-m", "celery", "-A", "swap", "beat", "-l",
                                                    "INFO", "-s", str(beat_schedule)], env=environ,
                                    log=logs / "beat.log"))
    try:
        if not _wait_for_web(port, children[0]):
            write(f"The web server did not answer on port {port}; see {children[0].log}. Stopping.")
            return
        for line in _welcome(oxen, port, with_broker, logs):
            write(line)
        while True:
            for child in children:
                if not child.alive():
                    write(f"The {child.name} stopped (exit {child.process.returncode}); see {child.log}. Stopping.")
                    return
            now = time.monotonic()
            for ticker in tickers:
                ticker.tick(now)
            time.sleep(0.2)
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM through swap.shutdown
        write("\nStopping the demo …")
    finally:
        for child in reversed(children):
            child.stop()


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _wait_for_web(port: int, web: Child, timeout: float = 60.0) -> bool:
    """True once our web server answers /healthz (runserver checks and loads before it listens)."""
    deadline = time.monotonic() + timeout
    while web.alive() and time.monotonic() < deadline:
        try:
            reply = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
            if reply.status_code == 200 and reply.json() == {"status": "ok"}:
                return True
        except (requests.RequestException, ValueError):
            pass
        time.sleep(0.2)
    return False


def _welcome(oxen: OxenSide, port: int, with_broker: bool, logs: Path) -> list[str]:
    base = f"http://127.0.0.1:{port}"
    assert oxen.sim is not None
    wallet, eth = demo_wallet(TRY_WALLET), demo_eth_address(TRY_WALLET)
    tasks = ("a Celery worker and beat on Redis 127.0.0.1:6379 (databases 7, 8)" if with_broker else
             "no broker (no Redis on 127.0.0.1:6379, or --no-celery): tasks run in-process and this process "
             "sends the beat schedule itself")
    return [
        "",
        "== Serving the demo " + "=" * 56,
        f"Portal       {base}/   (register {base}/register/, status {base}/status/, claims {base}/claims/)",
        f"Leaderboard  {base}/bonus/",
        f"API          {base}/api/v1/docs/   proofs {base}/api/v1/proofs/{cast.SELF_CLAIM_HOLDER.eth_address}/",
        f"Rounds       {base}/api/v1/rounds/",
        f"Admin        {base}/admin/   login {DEMO_ADMIN} / {DEMO_ADMIN_PASSWORD} (this local demo only); "
        f"reconciliation {base}/admin/reconciliation/",
        f"Tasks        {tasks}",
        f"Chains       anvil {oxen.anvil.url if oxen.anvil else ''}; oxend {oxen.sim.oxend_url}; "
        f"a block every {OXEN_BLOCK_SECONDS:.0f} s (Oxen) and {L2_BLOCK_SECONDS:.0f} s (L2)",
        "Try it       register a staking wallet the demo left out:",
        f"               Oxen address  {wallet.address}",
        f"               ETH address   {eth}",
        f"               Signature     {wallet.sign(eth)}",
        "             open a claim on /claims/, then send 5,000 OXEN to the deposit address its page shows",
        "             (the page follows the deposit: seen, confirmations, credited):",
        f"               curl -X POST {oxen.sim.oxend_url}/sim/send_to -d "
        "'{\"address\": \"<deposit address>\", \"amount\": 5000000000000}'",
        f"Logs         {logs}/web.log" + (", worker.log, beat.log" if with_broker else "") + "; Ctrl-C stops.",
    ]
