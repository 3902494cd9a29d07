#!/usr/bin/env python
"""`make prod-smoke`: the production topology of deploy/ on this machine, and a round played through it.

Usage: .venv/bin/python scripts/prod_smoke.py [--dir var/prod-smoke]

Needs PostgreSQL (127.0.0.1:5432, database swap_prodsmoke, recreated) and Redis (127.0.0.1:6379,
databases 11 and 12, emptied), nginx and openssl. Prints a short report and writes report.json and
every process's log under the directory. Exits 0 when every check held; otherwise 1 with one line
saying what failed. Every process it started is stopped on the way out, on failure, Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
import traceback
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from swap.prodsmoke.machine import Machine, preflight, prepare  # noqa: E402 - after the path
from swap.prodsmoke.topology import SmokeFailed  # noqa: E402
from swap.shutdown import Terminated, sigterm_interrupts  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=REPO_ROOT / "var" / "prod-smoke")
    directory = parser.parse_args(argv).dir.resolve()
    started = time.monotonic()
    machine: Machine | None = None
    play = None
    with sigterm_interrupts():
        try:
            preflight()
            machine = prepare(directory)
            os.environ["DJANGO_SETTINGS_MODULE"] = "swap.settings"
            import django

            django.setup()
            _log_to(machine.logs / "prod-smoke.log")
            from swap.prodsmoke.flow import Play

            play = Play(machine, write=lambda line: print(line, flush=True))
            play.run()
        except SmokeFailed as failed:
            return _fail(str(failed), directory, machine)
        except Terminated:
            return _fail("stopped by SIGTERM", directory, machine)
        except KeyboardInterrupt:
            return _fail("interrupted", directory, machine)
        except Exception as error:  # noqa: BLE001 - one line out, the traceback into the log
            return _fail(f"{type(error).__name__}: {error}", directory, machine, traceback.format_exc())
        finally:
            if machine is not None:
                from swap.prodsmoke.flow import stop_everything

                stop_everything(play, machine.topology, machine)
    figures = {**play.figures, "seconds_total": round(time.monotonic() - started, 1)}
    (directory / "report.json").write_text(json.dumps(figures, indent=2, default=str) + "\n")
    print(_report(figures, directory))
    return 0


def _log_to(path: Path) -> None:
    """This process's own log lines (the operator's commands, the settings) go to a file, not the report."""
    stream = path.open("a")
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler):
            handler.setStream(stream)


def _fail(line: str, directory: Path, machine: Machine | None, details: str = "") -> int:
    if machine is not None and details:
        (machine.logs / "prod-smoke.traceback").write_text(details)
    print(f"prod-smoke FAILED: {line} (logs: {directory})", file=sys.stderr)
    return 1


def _report(figures: dict, directory: Path) -> str:
    round_, payout, deposit = figures["round"], figures["payout"], figures["deposit"]
    return "\n".join([
        "== prod-smoke: the production topology on one machine, a round through nginx over HTTPS",
        f"processes   {', '.join(figures['processes'])} (from deploy/systemd/), anvil, the Oxen simulator",
        f"edge        HSTS {figures['edge']['hsts']!r}; HTTP {figures['edge']['http']}; static "
        f"{figures['edge']['static']}; 70 kB body {figures['edge']['70 kB body']}",
        f"oxen        {figures['snapshots']['final']} final snapshots; {figures['registrations']} registrations; "
        f"deposit {deposit['oxen_atomic']} atomic OXEN credited {deposit['sesh_atomic']} atomic SESH",
        f"round 1     {round_['accounts']} accounts, {round_['total_atomic']} atomic SESH, root {round_['root']}; "
        f"watchdog {round_['watchdog']}",
        f"payout      L2 worker SIGKILLed, the batch {payout['killed_while_batch']}"
        f"{' (inside a tracker pass: its lock held until it expired)' if payout['tracker_lock_left_held'] else ''}"
        f"; after the restart {payout['confirmed_items']} accounts paid once "
        f"({payout['claimMany_transactions']} claimMany tx)",
        f"claim       {figures['self_claim']['holder']} claimed {figures['self_claim']['claimed_atomic']} atomic SESH",
        f"rate limit  forged X-Forwarded-For answers {figures['forged_x_forwarded_for']}",
        f"verify      {figures['verify_round']}; reconciliation {figures['reconciliation']}",
        f"metrics     {figures['metrics']['checked']} figures equal the database; {figures['metrics']['answers_201']}"
        f" answers 201 over both gunicorn workers; from 127.0.0.2: {figures['metrics']['from 127.0.0.2']}",
        f"logs        {figures['logs_checked']['files']} files, {figures['logs_checked']['bytes']} bytes: none holds "
        f"any of {figures['logs_checked']['secrets']} secrets (signer, watchdog and Safe owner keys, SECRET_KEY, "
        "signatures)",
        f"time        {figures['seconds_total']} s; logs and report.json in {directory}",
    ])


if __name__ == "__main__":
    sys.exit(main())
