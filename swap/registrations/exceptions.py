"""Why a registration was not accepted, in words a person can act on.

Pages and the API turn these into field errors, 429 or 409; the service raises them and records
them in the audit trail. Every message says what to do next, not only what went wrong.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    """One reason a field was refused: a stable machine code and a message for people."""

    code: str
    message: str


class RegistrationError(Exception):
    """Base class of everything `submit_registration` refuses."""


class RegistrationRefused(RegistrationError):
    """The submission is wrong; `problems` maps field names to what is wrong with each.

    Field names are the submission's (`oxen_address`, `eth_address`, `signature`, `signed_at`,
    `node_pubkey`, `node_signature`); `non_field_errors` holds the rest.
    """

    def __init__(self, problems: dict[str, list[FieldProblem]]) -> None:
        self.problems = problems
        summary = "; ".join(f"{field}: {p.code}" for field, items in problems.items() for p in items)
        super().__init__(summary)

    @property
    def codes(self) -> list[str]:
        return [problem.code for items in self.problems.values() for problem in items]

    @classmethod
    def single(cls, field: str, code: str, message: str) -> RegistrationRefused:
        return cls({field: [FieldProblem(code, message)]})


class RegistrationRateLimited(RegistrationError):
    """Too many failed attempts from this client or for this Oxen address; try again later."""

    def __init__(self, scope: str, retry_after: int) -> None:
        self.scope = scope
        self.retry_after = retry_after
        what = "from your network address" if scope == "ip" else "for this Oxen address"
        minutes = max(1, -(-retry_after // 60))
        self.message = (
            f"Too many failed attempts {what}. Please wait {minutes} minute{'s' if minutes != 1 else ''} "
            "and check each field against the instructions before trying again."
        )
        super().__init__(self.message)


class RegistrationConflict(RegistrationError):
    """Another submission for the same Oxen address was being stored at the same moment."""

    message = (
        "Another registration for this Oxen address was stored at the same moment. "
        "Check its status page, then submit again if it is not the one you wanted."
    )

    def __init__(self) -> None:
        super().__init__(self.message)
