"""`manage.py demo [--serve] [--dir DIR] [--port N]`: the whole service end to end on one machine.

Starts anvil and the Oxen simulator on free loopback ports, deploys the test SESH token and the
`SwapDistributor`, imports the bundled snapshot history, registers sample holders through the
portal's form, opens coin claims and confirms simulated deposits, computes both programs'
allocations, freezes and publishes a round, runs a payout, claims with a served proof, verifies
the round, and prints the figures. `--until-end` then lives the program's end (`swap.demo.ending`);
without it the portal keeps claimable accounts. `--serve` then keeps the local chain and simulator running and
serves the portal, the admin and the API with Celery (see `swap.demo.serve`) until Ctrl-C or
SIGTERM. Either stops every child process, at any step: before the flow finished the command
exits 1 saying so, after it (while serving) it exits 0.

It always runs on the embedded default in its own directory (`var/` by default, a fresh
`demo.sqlite3` every run), and re-executes itself once so the settings module reads that
environment. Exit status 0 means every figure was checked (`DemoFailed` otherwise).
"""

from __future__ import annotations

import logging
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from swap.chain.anvil import REPO_ROOT
from swap.demo.ending import EndSide
from swap.demo.environment import DEMO_MARKER, demo_environ, static_settings, work_dir
from swap.demo.flow import DemoFailed, OxenSide, Progress
from swap.demo.processes import PeerError, manage
from swap.demo.rounds import L2Side
from swap.demo.serve import port_is_free, serve
from swap.demo.summary import summary_lines, write_summary
from swap.shutdown import sigterm_interrupts


class Command(BaseCommand):
    help = "Run the whole service end to end on local peers and print the figures; --serve then serves it."
    requires_system_checks: list[str] = []  # it re-executes itself before touching anything

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--serve", action="store_true",
                            help="afterwards serve the portal, admin and API with Celery until Ctrl-C")
        parser.add_argument("--dir", default=str(REPO_ROOT / "var"),
                            help="where demo.sqlite3, demo.env and the logs go (default var/)")
        parser.add_argument("--port", type=int, default=8000, help="the web server's port with --serve")
        parser.add_argument("--until-end", action="store_true",
                            help="then live the program's end: announce, close, final round, remainder, report")
        parser.add_argument("--no-celery", action="store_true",
                            help="with --serve, run tasks in-process even if Redis answers on 127.0.0.1:6379")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["dir"]).resolve()
        if os.environ.get(DEMO_MARKER) != str(directory):
            self._reexec(directory)
        if options["serve"] and not port_is_free(options["port"]):
            raise CommandError(f"port {options['port']} on 127.0.0.1 is in use: stop what listens there or pass --port")
        with sigterm_interrupts():
            self._run(directory, options)

    def _run(self, directory: Path, options: dict[str, Any]) -> None:
        static = {name: os.environ[name] for name in static_settings(directory, datetime.now(UTC))}
        log = _log_to_file(directory / "demo.log")
        steps = 15 if options["until_end"] else 11
        progress = Progress(self.stdout.write, steps)
        oxen = OxenSide(directory, progress, static)
        l2 = L2Side(oxen)
        try:
            with progress.step("Fresh database, bundled history unpacked"):
                oxen.prepare()
            with progress.step("Starting anvil and the Oxen simulator"):
                oxen.start_peers()
            with progress.step("Deploying TestSESH and SwapDistributor"):
                oxen.deploy()
            with progress.step("Importing the snapshot history, capture confirms it"):
                oxen.import_history(stderr=self.stderr)
            with progress.step("Registering sample holders through /register/"):
                oxen.register()
            with progress.step("Supply snapshot, coin claims, deposits credited"):
                oxen.coin_claims()
            with progress.step("Computing both programs' allocations"):
                oxen.allocations()
            with progress.step("Freezing and publishing round 1"):
                l2.freeze_and_publish()
            with progress.step("Payout for one account"):
                l2.payout()
            with progress.step("A holder claims with the served proof"):
                l2.self_claim()
            with progress.step("Verifying the round with verify_round"):
                l2.verify()
            if options["until_end"]:
                self._until_end(EndSide(l2), progress)
            summary = work_dir(directory) / "summary.json"
            write_summary(summary, oxen.figures)
            for line in summary_lines(oxen.figures):
                self.stdout.write(line)
            self.stdout.write(f"Figures as JSON  {summary}; log {log}")
            if options["serve"]:
                serve(oxen, port=options["port"], write=self.stdout.write, celery=not options["no_celery"])
        except (DemoFailed, PeerError) as error:
            raise CommandError(f"demo failed: {error}") from None
        except KeyboardInterrupt:  # Ctrl-C or SIGTERM during the flow (serving catches its own)
            raise CommandError("demo stopped before it finished (Ctrl-C or SIGTERM); its peers are stopped") from None
        finally:
            oxen.stop()

    def _until_end(self, end: EndSide, progress: Progress) -> None:
        with progress.step("Announcing the program end through the Safe (90 days' notice)"):
            end.announce()
        with progress.step("Claims close; the final round is frozen, published and activated"):
            end.close_and_final_round()
        with progress.step("After the end: the remainder withdrawn to the reward pool"):
            end.end_and_withdraw()
        with progress.step("Closing report: pool = paid + withheld + remainder"):
            end.report()

    def _reexec(self, directory: Path) -> None:
        """Run this command again in a fresh interpreter with the demo's environment (never returns)."""
        if sys.argv[1:2] != ["demo"]:
            raise CommandError("run the demo as `python manage.py demo` (it restarts itself with its settings)")
        directory.mkdir(parents=True, exist_ok=True)
        values = static_settings(directory, datetime.now(UTC))
        environ = demo_environ(os.environ, {**values, DEMO_MARKER: str(directory), "PYTHONUNBUFFERED": "1"})
        sys.stdout.flush()
        sys.stderr.flush()
        os.execve(sys.executable, [*manage("demo"), *sys.argv[2:]], environ)  # noqa: S606 -- our interpreter, no shell


def _log_to_file(path: Path) -> Path:
    """Send this process's log records to `path`, so the terminal shows the demo's own lines."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.FileHandler(path, mode="w")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root.addHandler(handler)
    return path
