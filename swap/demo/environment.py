"""The demo's settings: what it puts in the environment, and `demo.env` for the serve step.

The demo always runs on the embedded default (SQLite, no broker), in a directory of its own
(`var/` by default) so it never touches a developer's `db.sqlite3`. `manage.py demo` re-executes
itself once with the environment below (production variables removed, `SQLITE_PATH` set) so
`swap/settings.py` reads it like any other start. The values known only once the local chain
and simulator run (URLs, contract addresses) are set in-process and written with the rest to
`demo.env`, which the serve step hands to the web server and the Celery processes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path

from swap.demo.history import PROGRAM_FINAL_HEIGHT, PROGRAM_START_HEIGHT

# Removed before the demo starts, whatever the caller's shell holds: the demo is the embedded default.
PRODUCTION_VARIABLES = (
    "DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "SECURE_SSL_REDIRECT",
)
# Set in the re-executed process; its value is the demo directory.
DEMO_MARKER = "SWAP_DEMO_DIR"
# anvil's public development account #1: the service's signer on the local chain only (the signer
# refuses anvil's keys on any other chain id).
ANVIL_SERVICE_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"  # noqa: S105
# The watchdog's key (guardian and pauser): anvil's account 2, never the service's.
ANVIL_WATCHDOG_KEY = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"  # noqa: S105
OXEN_WALLET_ACCOUNT = 1
# The replayed history is from 2023; the demo registers its holders today. Moving the backdating
# cut-off a week past the demo's start makes them (and anyone registering in the served portal
# that week) count as registered in time, so they earn from the program's start.
BACKDATE_DAYS = 7


def database_path(directory: Path) -> Path:
    return directory / "demo.sqlite3"


def env_file(directory: Path) -> Path:
    return directory / "demo.env"


def work_dir(directory: Path) -> Path:
    """Logs, the unpacked history and the files the demo downloads (dump, CSV, summary)."""
    return directory / "demo"


def static_settings(directory: Path, started: datetime) -> dict[str, str]:
    """The settings known before anything starts."""
    return {
        "SQLITE_PATH": str(database_path(directory)),
        "OXEN_NETWORK": "mainnet",
        "SNB_START_HEIGHT": str(PROGRAM_START_HEIGHT),
        "SNB_FINAL_HEIGHT": str(PROGRAM_FINAL_HEIGHT),
        "SNB_BACKDATE_CUTOFF": (started + timedelta(days=BACKDATE_DAYS)).isoformat(),
        "OXEN_WALLET_ACCOUNT_INDEX": str(OXEN_WALLET_ACCOUNT),
        "L2_CHAIN_ID": "31337",
        "L2_SIGNER_KEY": ANVIL_SERVICE_KEY,
        "WATCHDOG_SIGNER_KEY": ANVIL_WATCHDOG_KEY,
    }


def demo_environ(base: Mapping[str, str], values: Mapping[str, str]) -> dict[str, str]:
    """`base` without the production variables, plus `values`."""
    environ = {name: value for name, value in base.items() if name not in PRODUCTION_VARIABLES}
    environ.update(values)
    return environ


def write_env_file(path: Path, values: Mapping[str, str]) -> None:
    lines = [
        "# Written by `manage.py demo`: the settings of the local demo (anvil's public development key,",
        "# loopback URLs). For this machine only; never use these values anywhere else.",
        *(f"{name}={value}" for name, value in sorted(values.items())),
    ]
    path.write_text("\n".join(lines) + "\n")


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values
