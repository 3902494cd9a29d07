"""Running `manage.py demo --serve` from a test: a free port for it, and its output up to a marker.

Shared by tests/test_demo.py (the demo's own figures) and tests/portal/ (the holder pages in a
browser, over the state the demo leaves on its real peers).
"""

from __future__ import annotations

import random
import socket
import subprocess


def read_until(process: subprocess.Popen[str], marker: str) -> str:
    """The demo's output up to the first line starting with `marker` (or its end)."""
    assert process.stdout is not None
    seen: list[str] = []
    for line in process.stdout:
        seen.append(line)
        if line.startswith(marker):
            break
    return "".join(seen)


def free_port_outside_the_ephemeral_range() -> int:
    """A free port the demo's own peers (which bind port 0, i.e. ephemeral ports) cannot also pick."""
    for port in random.Random().sample(range(20_000, 32_000), 50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 20000 and 32000")
