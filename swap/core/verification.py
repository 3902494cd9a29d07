"""The answer of every signature check: pass or fail, with a reason a person can act on.

Like warehouse's signature checks, callers get a value rather than an exception, so a view, a
command and an audit event can all show the same sentence. Reasons are one short line of ASCII-safe
text and never echo more than a few characters of what the user sent.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_REASON_CHARS = 200


@dataclass(frozen=True)
class VerificationResult:
    valid: bool
    reason: str

    @classmethod
    def passed(cls) -> VerificationResult:
        return cls(True, "valid")

    @classmethod
    def failed(cls, reason: str) -> VerificationResult:
        """A failure; the reason is forced onto one line and cut to `MAX_REASON_CHARS`."""
        one_line = " ".join(reason.split())
        if len(one_line) > MAX_REASON_CHARS:
            one_line = one_line[: MAX_REASON_CHARS - 3] + "..."
        return cls(False, one_line or "invalid")

    def __bool__(self) -> bool:
        return self.valid
