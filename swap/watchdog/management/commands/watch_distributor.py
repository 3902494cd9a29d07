"""`manage.py watch_distributor [--loop [--interval S]]`: the watchdog without Celery.

One pass by default (what `watch_distributor_task` does); with `--loop`, a pass every `--interval`
seconds (default `WATCHDOG_POLL_SECONDS`) until SIGTERM or SIGINT, which let the pass under way
finish and then stop with exit status 0. Run it with the watchdog's key and node in the
environment (`WATCHDOG_SIGNER_KEY`/`_FILE`, `WATCHDOG_RPC_URL`), never the publisher's key.

A configuration error (no key, a node on another chain, a key without its roles, no distributor)
ends the command with one readable line and status 1, in a loop too; any other failure of one pass
(the node down for a moment) is reported in one line and the loop goes on: the heartbeat stays old,
and the main workers raise the stale-heartbeat alert if it lasts.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from swap.chain.errors import ChainError, ChainIdMismatchError, ChainNotConfiguredError
from swap.chain.signer import SignerKeyError
from swap.watchdog.exceptions import GuardianRoleError, WatchdogError, WatchdogNotConfiguredError
from swap.watchdog.services.passes import watch_distributor

ACTOR = "command:watch_distributor"
# Misconfiguration: looping would fail the same way forever, so the command stops and says why.
FATAL = (SignerKeyError, ChainIdMismatchError, ChainNotConfiguredError, GuardianRoleError, WatchdogNotConfiguredError)


class Command(BaseCommand):
    help = "Run the watchdog: veto and pause on any proposed root or claim the database did not freeze."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="keep watching until SIGTERM or SIGINT")
        parser.add_argument("--interval", type=float, default=None,
                            help="seconds between passes with --loop (default WATCHDOG_POLL_SECONDS)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["loop"]:
            self.stdout.write(self._one_pass(fatal_only=False))
            return
        interval = options["interval"] if options["interval"] is not None else settings.WATCHDOG_POLL_SECONDS
        if interval <= 0:
            raise CommandError("--interval must be a positive number of seconds")
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self.stdout.write(f"watching every {interval:g} s until SIGTERM or SIGINT")
            while not stop.is_set():
                line = self._one_pass(fatal_only=True)
                self.stdout.write(line)
                self.stdout.flush()
                stop.wait(interval)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write("stopped")

    def _one_pass(self, *, fatal_only: bool) -> str:
        """Run one pass and return its summary; errors become one line (fatal ones end the command)."""
        try:
            return watch_distributor(actor=ACTOR).summary()
        except FATAL as error:
            raise CommandError(_one_line(error)) from None
        except (WatchdogError, ChainError) as error:
            if not fatal_only:
                raise CommandError(_one_line(error)) from None
            self.stderr.write(f"pass failed: {_one_line(error)}")
            return "pass failed; trying again"


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())[:500]
