"""SIGTERM stops a command the way Ctrl-C does, so the code that stops its children runs.

Service managers, `docker stop`, `kill` and CI stop a process with SIGTERM. Python's default
action ends the process at once: no `finally`, no `except KeyboardInterrupt`, and the children
it started (anvil, the Oxen simulator, a web server, a worker) live on, holding their ports.
Inside `sigterm_interrupts()` SIGTERM raises `Terminated`, a `KeyboardInterrupt`, wherever the
main thread is; a second SIGTERM while the children are being stopped is ignored.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived; raised like Ctrl-C so that every `except KeyboardInterrupt` and `finally` runs."""


@contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """Within the block, the first SIGTERM raises `Terminated` in the main thread."""
    received = False

    def interrupt(signum: int, frame: FrameType | None) -> None:
        nonlocal received
        if not received:
            received = True
            raise Terminated()

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
