"""Scripted faults: the ways a real oxend or wallet RPC misbehaves, on demand.

A test adds rules to a server's `FaultPlan`; each incoming JSON-RPC request takes the first rule
that matches its method and still has uses left. The kinds mirror what the clients must survive:

| kind | effect |
| --- | --- |
| `error` | JSON-RPC error envelope with `code`/`message` (HTTP 200), e.g. -32003 busy, -38 no daemon |
| `status` | a result holding only `{"status": status}`, e.g. oxend's `"BUSY"` |
| `untrusted` | the normal result with `"untrusted": true` (a bootstrap daemon answered) |
| `delay` | sleep `seconds` first, then answer normally (drives client read timeouts) |
| `http` | an HTTP error status (`http_status`, default 500) with a plain-text body |
| `drop` | close the connection without answering |

Refusing connections altogether is not a rule: stop the listener (`OxenSimulator.go_down`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from swap.simulator.params import SERVER_BUSY

KINDS = frozenset({"error", "status", "untrusted", "delay", "http", "drop"})


@dataclass
class Fault:
    """One rule. `times` None means every matching request, forever (until cleared)."""

    kind: str
    times: int | None = 1
    method: str | None = None
    code: int = SERVER_BUSY
    message: str = "Server busy, try again later"
    status: str = "BUSY"
    seconds: float = 0.0
    http_status: int = 500

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {sorted(KINDS)}")
        if self.times is not None and (type(self.times) is not int or self.times < 1):
            raise ValueError("times must be a positive int or None")


class FaultPlan:
    """The ordered fault rules of one server; thread-safe, since handler threads consume them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[Fault] = []
        self.triggered = 0  # how many requests a rule has affected, for assertions

    def add(self, kind: str, **options: object) -> Fault:
        fault = Fault(kind, **options)  # type: ignore[arg-type]
        with self._lock:
            self._rules.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def take(self, method: str) -> Fault | None:
        """The rule this request triggers (using up one of its times), or None."""
        with self._lock:
            for fault in self._rules:
                if fault.method is None or fault.method == method:
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times == 0:
                            self._rules.remove(fault)
                    self.triggered += 1
                    return fault
        return None
