"""Single-flight for periodic tasks: at most one run at a time, as an optimization only.

The lock is a cache key set with `add` (atomic in Redis and in the local-memory cache) and an
expiry, so a worker that dies holding it blocks others for `timeout` seconds at most. Nothing
depends on it for correctness: every step of the jobs it guards is a compare-and-swap, so two runs
at once would only do redundant reads.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

from django.core.cache import cache


def single_flight_key(name: str) -> str:
    """The cache key behind the lock `name` (tests hold it to play "another run")."""
    return f"single-flight:{name}"


@contextlib.contextmanager
def single_flight(name: str, *, timeout: int) -> Iterator[bool]:
    """Yield True if this caller holds the lock `name` now, False if another run does."""
    key = single_flight_key(name)
    token = uuid.uuid4().hex
    acquired = cache.add(key, token, timeout)
    try:
        yield bool(acquired)
    finally:
        if acquired and cache.get(key) == token:
            cache.delete(key)
