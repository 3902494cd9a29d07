"""Named points in the outbox where a test can make the process "die".

Crash safety is only believable if it is exercised: the outbox calls `checkpoint(name, tx)` between
its steps (always outside a database transaction, so what was committed stays committed), and a
test installs a hook with `crash_at(name)` that raises `SimulatedCrash` there. The test then runs
the recovery path (a new tracker pass, as a restarted worker would) and checks the balances.

`freeze_entries_written` is the one checkpoint *inside* a transaction: it proves that a crash
halfway through freezing leaves nothing behind.

`SimulatedCrash` derives from BaseException so no `except Exception` in the code under test can
swallow it, just as no handler survives a killed process. With no hook installed a checkpoint is
one dictionary lookup.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

OUTBOX_CHECKPOINTS = (
    "after_sign",  # signed bytes and hash committed, nothing broadcast yet
    "after_broadcast",  # the node accepted the bytes, the database does not know yet
    "after_receipt",  # the transaction is mined, its receipt fetched but not recorded
    "before_confirm",  # deep enough to be final, the confirmation not recorded yet
)
CHECKPOINTS = OUTBOX_CHECKPOINTS + (
    "freeze_entries_written",  # inside freeze_round's transaction, entries inserted, root not yet set
)

_hooks: dict[str, Callable[[Any], None]] = {}


class SimulatedCrash(BaseException):  # noqa: N818 - named for what it stands for, not an error
    """The process "died" at a checkpoint (tests only)."""


def checkpoint(name: str, subject: Any) -> None:
    """Run the hook installed for `name`, if any."""
    hook = _hooks.get(name)
    if hook is not None:
        hook(subject)


@contextlib.contextmanager
def crash_at(name: str, *, times: int = 1) -> Iterator[list[Any]]:
    """Raise `SimulatedCrash` the first `times` times `name` is reached; yield what crashed there."""
    if name not in CHECKPOINTS:
        raise ValueError(f"unknown checkpoint {name!r}; known: {', '.join(CHECKPOINTS)}")
    crashed: list[Any] = []

    def hook(subject: Any) -> None:
        if len(crashed) < times:
            crashed.append(subject)
            raise SimulatedCrash(f"simulated crash at {name}")

    _hooks[name] = hook
    try:
        yield crashed
    finally:
        _hooks.pop(name, None)
