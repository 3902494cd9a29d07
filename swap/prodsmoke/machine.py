"""Everything the run sets up before Django starts in this process: directories, ports, the peers, keys,
the certificate, and the environment file filled in from deploy/swap.env.template.

This process plays the operator's shell: it reads the same environment file as the units, plus
the paths of the two keys (which the file never holds: each unit gets its own key as a systemd
credential), so `migrate`, `deploy_contracts`-like steps, `freeze_round` and `publish_round` run
here as an operator runs them.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from swap.chain.anvil import AnvilNode, free_loopback_port
from swap.demo.environment import ANVIL_SERVICE_KEY, ANVIL_WATCHDOG_KEY, static_settings
from swap.demo.history import extract_archive
from swap.demo.processes import Simulator, start_chain, start_simulator
from swap.prodsmoke.envfile import REPO_ROOT, fill_in, read_template, write_env_file
from swap.prodsmoke.nginx import Edge, make_certificate
from swap.prodsmoke.topology import SmokeFailed, Topology, reachable, systemd_base_environ
from swap.prodsmoke.units import Placement

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/swap_prodsmoke"
BROKER_URL = "redis://127.0.0.1:6379/11"
CACHE_URL = "redis://127.0.0.1:6379/12"
HOST = "swap.localhost"  # not a loopback name to `check --deploy` (swap.E005), served on 127.0.0.1
# Failed registrations per client for the forged X-Forwarded-For check: small, so the run is short.
REGISTRATION_LIMIT = 5


@dataclass
class Machine:
    """The run's directory layout, ports, peers and settings."""

    directory: Path
    http_port: int = field(default_factory=free_loopback_port)
    https_port: int = field(default_factory=free_loopback_port)
    web_port: int = field(default_factory=free_loopback_port)
    values: dict[str, str] = field(default_factory=dict)  # the environment file's settings
    anvil: AnvilNode | None = None
    sim: Simulator | None = None
    history: list[Path] = field(default_factory=list)
    topology: Topology | None = None

    @property
    def logs(self) -> Path:
        return self.directory / "logs"

    @property
    def env_file(self) -> Path:
        return self.directory / "etc" / "swap.env"

    @property
    def keys(self) -> Path:
        return self.directory / "etc" / "keys"

    @property
    def static_root(self) -> Path:
        return self.directory / "srv" / "static"

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def certificate(self) -> Path:
        return self.directory / "nginx" / "cert.pem"

    def edge(self) -> Edge:
        return Edge(self.directory / "nginx", self.http_port, self.https_port, f"127.0.0.1:{self.web_port}",
                    self.static_root, self.certificate, self.directory / "nginx" / "key.pem")

    def placement(self) -> Placement:
        return Placement(
            prefixes={"/opt/swap": str(REPO_ROOT), "/etc/swap": str(self.directory / "etc"),
                      "/var/lib": str(self.directory / "state"), "/srv/swap": str(self.directory / "srv"),
                      "/run": str(self.directory / "run")},
            hostname=socket.gethostname(), credentials_root=self.directory / "credentials",
        )

    def configure(self, **values: str) -> None:
        """Set settings in the environment file (refused if the template does not list them) and here."""
        self.values.update(fill_in(read_template(), {**self.values, **values}))
        write_env_file(self.env_file, self.values)
        os.environ.update(self.values)

    def stop_peers(self) -> None:
        if self.sim is not None:
            self.sim.child.stop()
        if self.anvil is not None:
            self.anvil.stop()


def preflight() -> None:
    """PostgreSQL, Redis, nginx and openssl must be there; one line says which is not."""
    if not reachable(DATABASE_URL, 5432):
        raise SmokeFailed("PostgreSQL does not answer on 127.0.0.1:5432")
    if not reachable(BROKER_URL, 6379):
        raise SmokeFailed("Redis does not answer on 127.0.0.1:6379")
    for tool in ("nginx", "openssl"):
        if shutil.which(tool, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin") is None:
            raise SmokeFailed(f"{tool} is not installed (make prod-smoke installs Debian's nginx)")


def prepare(directory: Path) -> Machine:
    """A clean run directory, the peers started, keys and certificate written, the environment file filled in."""
    shutil.rmtree(directory, ignore_errors=True)
    machine = Machine(directory)
    for path in (machine.logs, machine.keys, machine.static_root, directory / "state", directory / "nginx"):
        path.mkdir(parents=True, exist_ok=True)
    machine.topology = Topology(machine.placement(), machine.logs, systemd_base_environ(directory / "state"))
    (machine.keys / "l2-signer.key").write_text(ANVIL_SERVICE_KEY + "\n")
    (machine.keys / "watchdog.key").write_text(ANVIL_WATCHDOG_KEY + "\n")
    for key in machine.keys.iterdir():
        key.chmod(0o600)
    make_certificate(machine.certificate, machine.edge().certificate_key, HOST)
    machine.history = extract_archive(directory / "history")
    peers_environ = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL",
                                                                        "REDIS_URL", "SECRET_KEY")}
    machine.anvil = start_chain()
    machine.sim = start_simulator(machine.history[-1], env=peers_environ, log=machine.logs / "oxen-simulator.log")
    demo = static_settings(directory, datetime.now(UTC))
    machine.configure(
        DATABASE_URL=DATABASE_URL, CELERY_BROKER_URL=BROKER_URL, REDIS_URL=CACHE_URL, CACHE_KEY_PREFIX="prodsmoke",
        SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS=HOST,
        CSRF_TRUSTED_ORIGINS=f"https://{HOST}:{machine.https_port}",
        WEB_BIND=f"127.0.0.1:{machine.web_port}", WEB_WORKERS="2", STATIC_ROOT=str(machine.static_root),
        OXEND_RPC_URL=machine.sim.oxend_url, OXEN_WALLET_RPC_URL=machine.sim.wallet_url,
        OXEN_NETWORK=demo["OXEN_NETWORK"], OXEN_WALLET_ACCOUNT_INDEX=demo["OXEN_WALLET_ACCOUNT_INDEX"],
        SNB_START_HEIGHT=demo["SNB_START_HEIGHT"], SNB_FINAL_HEIGHT=demo["SNB_FINAL_HEIGHT"],
        SNB_BACKDATE_CUTOFF=demo["SNB_BACKDATE_CUTOFF"],
        L2_CHAIN_ID="31337", L2_RPC_URL=machine.anvil.url, WATCHDOG_RPC_URL=machine.anvil.url,
        # Beat's tracker, activation and watchdog passes every 2 s: the run waits seconds, not minutes.
        L2_TRACK_INTERVAL_SECONDS="2", WATCHDOG_POLL_SECONDS="2",
        REGISTRATION_RATE_LIMIT_IP=f"{REGISTRATION_LIMIT}/hour",
    )
    # The operator's shell holds the keys' paths; the environment file never does.
    os.environ["L2_SIGNER_KEY_FILE"] = str(machine.keys / "l2-signer.key")
    os.environ["WATCHDOG_SIGNER_KEY_FILE"] = str(machine.keys / "watchdog.key")
    return machine
